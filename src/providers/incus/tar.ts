// The few pieces of the tar format (POSIX ustar, with a pax `size` record for members of 8 GiB
// and more) that a streamed backup needs: headers for regular files, padding, the end marker.

export const BLOCK = 512;
/** The largest size the ustar header's 11 octal digits hold (8 GiB - 1). */
const USTAR_MAX_SIZE = 0o77777777777;

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

export interface TarEntry {
  name: string;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  mode?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: number, mode: number, type: '0' | 'x'): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar member name longer than 100 bytes: ${name}`);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return block;
}

/** A pax record `"<length> <key>=<value>\n"`, whose length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/**
 * The header blocks of a regular file: one ustar header, preceded by a pax extended header when
 * the size does not fit ustar's field. Its data follows, then `padding(size)` zero bytes.
 */
export function fileHeader(entry: TarEntry): Uint8Array {
  const mode = entry.mode ?? 0o644;
  if (entry.size <= USTAR_MAX_SIZE) return header(entry.name, entry.size, entry.mtime, mode, '0');
  const pax = Buffer.from(paxRecord('size', String(entry.size)));
  const paxName = `PaxHeaders/${entry.name.split('/').pop() ?? entry.name}`;
  return Buffer.concat([header(paxName, pax.length, entry.mtime, mode, 'x'), pax, Buffer.alloc(padding(pax.length)), header(entry.name, 0, entry.mtime, mode, '0')]);
}

/** The end of an archive: two zero blocks. */
export function endOfArchive(): Uint8Array {
  return Buffer.alloc(2 * BLOCK);
}
