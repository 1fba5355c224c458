// A target device (a block device of the mover VM, or a file in process mode): positional
// writes and reads, and syncs. A file shorter than the disk is extended (its new bytes read as
// zeros); a block device must hold the whole disk.

import { open, type FileHandle } from 'node:fs/promises';
import { MoverError } from './failure.js';

export class Device {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string, capacity: number): Promise<Device> {
    const handle = await open(path, 'r+');
    try {
      const stat = await handle.stat();
      if (stat.isFile()) {
        if (stat.size < capacity) await handle.truncate(capacity);
      } else if (stat.isBlockDevice()) {
        const last = Buffer.alloc(1);
        const { bytesRead } = await handle.read(last, 0, 1, capacity - 1);
        if (bytesRead !== 1) throw new MoverError('device-too-small', `device ${path} is smaller than the disk (${capacity} bytes): grow the Incus volume to the disk's size`);
      } else {
        throw new MoverError('device-missing', `${path} is neither a block device nor a file`);
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new Device(path, handle);
  }

  async read(start: number, length: number): Promise<Buffer> {
    const data = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(data, done, length - done, start + done);
      if (bytesRead === 0) throw new MoverError('device-too-small', `device ${this.path} ended at byte ${start + done}, inside the disk`);
      done += bytesRead;
    }
    return data;
  }

  async write(start: number, data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, start + done);
      done += bytesWritten;
    }
  }

  /** Flushes what was written to the device (fdatasync). */
  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
