const FORMAT =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})([T ])([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Parses RFC 3339 (`2025-12-01T01:00:00Z`, `…+02:00`) or migration-manager's `2025-12-01 01:00:00`,
 * which is UTC. An RFC 3339 time with a `T` but no zone is refused: it is ambiguous.
 */
export function parseTimestamp(text: string): TimestampResult {
  const m = FORMAT.exec(text);
  if (!m) return { ok: false, reason: 'expected 2025-12-01T01:00:00Z or 2025-12-01 01:00:00' };
  const [, y, mo, d, sep, h, mi, s, frac, zone] = m;
  if (sep === 'T' && zone === undefined) {
    return { ok: false, reason: 'a time written with T needs a zone: add Z for UTC' };
  }
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12) return { ok: false, reason: `month ${mo} does not exist` };
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return { ok: false, reason: `day ${d} does not exist in ${y}-${mo}` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: `${h}:${mi}:${s} is not a time of day` };
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + (frac ? Math.floor(Number(frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offset = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    ms -= sign * offset * 60_000;
  }
  return { ok: true, ms };
}

/** RFC 3339 in UTC, without fractional seconds when there are none. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso;
}
