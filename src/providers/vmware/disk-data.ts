// Reading a powered-off VM's disk through vCenter's datastore file interface
// (`GET /folder/<path>?dcPath=<datacenter>&dsName=<datastore>`, authenticated by the SOAP session
// cookie): the descriptor first, then the flat extent files it names, streamed in order. The
// stream yields exactly the descriptor's size in bytes or fails; it never ends short silently.

import type { IncomingMessage } from 'node:http';
import type https from 'node:https';
import type { DiskData } from '../ports.js';
import { ProviderError } from '../ports.js';
import { abortReason, deadline, readBody, send } from './http.js';
import { isBinaryVmdk, parseDescriptor, SECTOR, type Extent } from './vmdk.js';

/** A descriptor is a few hundred bytes; anything past this is not one. */
const DESCRIPTOR_LIMIT = 64 * 1024;
const ZEROES = Buffer.alloc(1024 * 1024);

export interface DatastoreAccess {
  /** The root the `/folder` interface hangs off (`https://vcenter`). */
  base: URL;
  agent: https.Agent;
  cookie(): string | null;
  /** Until each response's headers arrive, and the longest pause while data streams. */
  timeoutMs: number;
}

/** `[datastore] dir/file.vmdk` → datastore name and path. */
export function datastorePath(name: string): { datastore: string; path: string } | null {
  const m = /^\[([^\]]+)\]\s*(.+)$/.exec(name.trim());
  return m ? { datastore: m[1]!, path: m[2]! } : null;
}

export function folderUrl(access: DatastoreAccess, datacenter: string, datastore: string, path: string): URL {
  const url = new URL(access.base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/folder/${path.split('/').map(encodeURIComponent).join('/')}`;
  url.search = `?dcPath=${encodeURIComponent(datacenter.replace(/^\/+/, ''))}&dsName=${encodeURIComponent(datastore)}`;
  return url;
}

async function get(access: DatastoreAccess, url: URL, what: string, signal: AbortSignal, range?: string): Promise<IncomingMessage> {
  const limit = deadline(access.timeoutMs, what, signal);
  try {
    const headers: Record<string, string> = {};
    const cookie = access.cookie();
    if (cookie !== null) headers.Cookie = cookie;
    if (range !== undefined) headers.Range = range;
    const response = await send({ method: 'GET', url, headers, agent: access.agent, signal: limit.signal, what });
    const status = response.statusCode ?? 0;
    if (status === 200 || status === 206) return response;
    response.resume();
    if (status === 404) throw new ProviderError('not-found', `${what}: the file does not exist on the datastore`);
    if (status === 401 || status === 403) throw new ProviderError('no-permission', `${what}: HTTP ${status} (the account needs Datastore.Browse and Datastore.FileManagement)`);
    throw new ProviderError('http-error', `${what}: HTTP ${status}`);
  } finally {
    limit.clear();
  }
}

/**
 * Yields a response's bytes — exactly `length` of them when given, failing if it ends early —
 * failing when no data comes for `stallMs` or `signal` aborts.
 */
export async function* responseBytes(response: IncomingMessage, what: string, signal: AbortSignal, stallMs: number, length?: number): AsyncGenerator<Uint8Array> {
  let left = length ?? Infinity;
  let stall: NodeJS.Timeout | undefined;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    response.destroy(error);
  };
  const arm = () => {
    clearTimeout(stall);
    stall = setTimeout(() => fail(new ProviderError('timeout', `${what}: no data for ${stallMs} ms`)), stallMs);
  };
  const onAbort = () => fail(abortReason(signal, what));
  signal.addEventListener('abort', onAbort, { once: true });
  arm();
  try {
    if (signal.aborted) throw abortReason(signal, what);
    for await (const chunk of response as AsyncIterable<Buffer>) {
      arm();
      if (chunk.length >= left) {
        if (left > 0) yield chunk.subarray(0, left);
        left = 0;
        break;
      }
      left -= chunk.length;
      yield chunk;
    }
  } catch (error) {
    if (failure !== null) throw failure;
    if (error instanceof ProviderError) throw error;
    throw new ProviderError('unreachable', `${what}: the download broke (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    clearTimeout(stall);
    signal.removeEventListener('abort', onAbort);
    response.destroy();
  }
  if (length !== undefined && left > 0) throw new ProviderError('disk-size-mismatch', `${what}: the file ended ${left} bytes before the size its descriptor gives`);
}

async function* extentBytes(access: DatastoreAccess, datacenter: string, datastore: string, dir: string, extents: Extent[], disk: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  for (const extent of extents) {
    if (signal.aborted) throw abortReason(signal, `reading disk ${disk}`);
    const length = extent.sectors * SECTOR;
    if (extent.kind === 'zero') {
      for (let left = length; left > 0; left -= ZEROES.length) yield ZEROES.subarray(0, Math.min(left, ZEROES.length));
      continue;
    }
    const file = dir === '' ? extent.file : `${dir}/${extent.file}`;
    const what = `reading [${datastore}] ${file} (disk ${disk})`;
    const start = extent.offset * SECTOR;
    const response = await get(access, folderUrl(access, datacenter, datastore, file), what, signal, start > 0 ? `bytes=${start}-${start + length - 1}` : undefined);
    if (start > 0 && response.statusCode !== 206) {
      response.resume();
      throw new ProviderError('not-supported', `${what}: the server does not serve byte ranges, which this extent at offset ${start} needs`);
    }
    yield* responseBytes(response, what, signal, access.timeoutMs, length);
  }
}

/** A flat disk found through its descriptor: where its extents are, and its size. */
export interface FlatDisk {
  /** `[ds] vm/vm.vmdk`, for messages. */
  disk: string;
  datacenter: string;
  datastore: string;
  /** The descriptor's directory on the datastore ('' at the root). */
  dir: string;
  extents: Extent[];
  /** Bytes. */
  size: number;
}

/** Reads a disk's descriptor (`[ds] vm/vm.vmdk`) and says where its data is; refuses what is not a flat disk. */
export async function openFlatDisk(access: DatastoreAccess, datacenter: string, disk: string, signal: AbortSignal): Promise<FlatDisk> {
  const where = datastorePath(disk);
  if (!where) throw new ProviderError('not-supported', `disk ${disk} is not a datastore file ([datastore] path)`);
  const what = `reading the descriptor of disk ${disk}`;
  const limit = deadline(access.timeoutMs, what, signal);
  let head: Buffer;
  try {
    const response = await get(access, folderUrl(access, datacenter, where.datastore, where.path), what, limit.signal);
    const announced = Number(response.headers['content-length'] ?? NaN);
    if (announced > DESCRIPTOR_LIMIT) {
      response.destroy();
      throw new ProviderError('not-supported', `disk ${disk} is a single binary file (a sparse or stream-optimized VMDK), not a descriptor with flat extents`);
    }
    head = await readBody(response, DESCRIPTOR_LIMIT, what, limit.signal);
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'response-too-large') {
      throw new ProviderError('not-supported', `disk ${disk} is a single binary file (a sparse or stream-optimized VMDK), not a descriptor with flat extents`);
    }
    throw error;
  } finally {
    limit.clear();
  }
  if (head.length === 0) throw new ProviderError('disk-unreadable', `disk ${disk}: its file is empty, not a VMDK descriptor`);
  if (isBinaryVmdk(head)) throw new ProviderError('not-supported', `disk ${disk} is a sparse VMDK; Ferry reads flat disks only`);
  const parsed = parseDescriptor(head.toString('utf8'));
  if (!parsed.ok) throw new ProviderError(parsed.reason.startsWith('it is not') ? 'disk-unreadable' : 'not-supported', `disk ${disk}: ${parsed.reason}`);
  const slash = where.path.lastIndexOf('/');
  return {
    disk,
    datacenter,
    datastore: where.datastore,
    dir: slash < 0 ? '' : where.path.slice(0, slash),
    extents: parsed.descriptor.extents,
    size: parsed.descriptor.size,
  };
}

/**
 * The bytes `[start, start + length)` of a flat disk, read by range from the extents that hold
 * them (zero extents yield zeros without a request). Exactly `length` bytes, or it fails.
 */
export async function* readFlatRange(access: DatastoreAccess, flat: FlatDisk, start: number, length: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  if (start < 0 || length < 0 || start + length > flat.size) {
    throw new ProviderError('invalid-argument', `disk ${flat.disk}: bytes ${start}–${start + length} are outside its ${flat.size} bytes`);
  }
  let extentStart = 0;
  for (const extent of flat.extents) {
    const extentLength = extent.sectors * SECTOR;
    const from = Math.max(start, extentStart);
    const to = Math.min(start + length, extentStart + extentLength);
    extentStart += extentLength;
    if (from >= to) continue;
    if (signal.aborted) throw abortReason(signal, `reading disk ${flat.disk}`);
    if (extent.kind === 'zero') {
      for (let left = to - from; left > 0; left -= ZEROES.length) yield ZEROES.subarray(0, Math.min(left, ZEROES.length));
      continue;
    }
    const file = flat.dir === '' ? extent.file : `${flat.dir}/${extent.file}`;
    const what = `reading [${flat.datastore}] ${file} (disk ${flat.disk})`;
    const first = extent.offset * SECTOR + (from - (extentStart - extentLength));
    const response = await get(access, folderUrl(access, flat.datacenter, flat.datastore, file), what, signal, `bytes=${first}-${first + (to - from) - 1}`);
    if (response.statusCode !== 206) {
      response.resume();
      throw new ProviderError('not-supported', `${what}: the server does not serve byte ranges`);
    }
    yield* responseBytes(response, what, signal, access.timeoutMs, to - from);
  }
}

/**
 * The bytes of a disk (`[ds] vm/vm.vmdk`) of a VM in datacenter `datacenter` (its inventory path).
 * Only the descriptor is read before this resolves; the data streams as the caller reads.
 */
export async function readDiskData(access: DatastoreAccess, datacenter: string, disk: string, signal: AbortSignal): Promise<DiskData> {
  const flat = await openFlatDisk(access, datacenter, disk, signal);
  return { size: flat.size, stream: extentBytes(access, datacenter, flat.datastore, flat.dir, flat.extents, disk, signal) };
}
