// Byte sizes and rates as people write them (20GiB, 400MiB/s): binary units are powers of 1024,
// decimal ones powers of 1000.

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4,
};

const SIZE = /^([0-9]+(?:\.[0-9]+)?)(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;

/** Whole bytes for `20GiB`, `1.5GB` or a plain number; undefined when it is neither. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE.exec(value);
  if (!m) return undefined;
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[m[2]!]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Bytes per second for `400MiB/s`. */
export function parseByteRate(text: string): number | undefined {
  return text.endsWith('/s') ? parseByteSize(text.slice(0, -2)) : undefined;
}

/** The shortest exact spelling: 400MiB, 1500MB, 123B. */
export function formatByteSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB', 'TB', 'GB', 'MB', 'kB']) {
    const size = UNIT_BYTES[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

export function formatByteRate(bytesPerSecond: number): string {
  return `${formatByteSize(bytesPerSecond)}/s`;
}
