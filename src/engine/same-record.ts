// Whether two records a source reported say the same: deep equality of plain JSON data, key order
// and `last_update_from_source` (which a source stamps on every read) ignored. Pure.

export function sameRecord(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameRecord(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => k !== 'last_update_from_source' && o[k] !== undefined);
  const kx = keys(x);
  if (kx.length !== keys(y).length) return false;
  for (const k of kx) if (!sameRecord(x[k], y[k])) return false;
  return true;
}
