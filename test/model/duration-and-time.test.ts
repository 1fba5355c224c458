import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/model/duration.js';
import { formatTimestamp, parseTimestamp } from '../../src/model/timestamp.js';

describe('Go durations', () => {
  it.each([
    ['10m', 600_000],
    ['10m0s', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['0', 0],
    ['2h45m30s', 9_930_000],
    ['.5s', 500],
  ])('reads %s as %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '10 m', '-5m', 'm', '1d', '10min', '1h-30m', 'abc'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [600_000, '10m'],
    [5_400_000, '1h30m'],
    [90_000, '1m30s'],
    [0, '0s'],
    [1_500, '1s500ms'],
  ])('writes %d ms as %s, which reads back the same', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('UTC timestamps', () => {
  it.each([
    ['2025-12-01 01:00:00', Date.UTC(2025, 11, 1, 1)],
    ['2025-12-01T01:00:00Z', Date.UTC(2025, 11, 1, 1)],
    ['2025-12-01T03:00:00+02:00', Date.UTC(2025, 11, 1, 1)],
    ['2025-11-30T20:00:00-05:00', Date.UTC(2025, 11, 1, 1)],
    ['2025-12-01T01:00:00.250Z', Date.UTC(2025, 11, 1, 1) + 250],
    ['2024-02-29 12:00:00', Date.UTC(2024, 1, 29, 12)],
  ])('reads %s', (text, ms) => expect(parseTimestamp(text)).toEqual({ ok: true, ms }));

  it.each([
    ['2025-12-01T01:00:00', /needs a zone/],
    ['2025-13-01 00:00:00', /month 13/],
    ['2025-02-29 00:00:00', /day 29/],
    ['2025-12-01 24:00:00', /not a time of day/],
    ['tomorrow', /expected/],
    ['2025-12-01', /expected/],
  ])('refuses %s with a reason', (text, reason) => {
    const result = parseTimestamp(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('writes RFC 3339 in UTC', () => {
    expect(formatTimestamp(Date.UTC(2025, 11, 1, 1))).toBe('2025-12-01T01:00:00Z');
    expect(formatTimestamp(Date.UTC(2025, 11, 1, 1) + 5)).toBe('2025-12-01T01:00:00.005Z');
  });
});
