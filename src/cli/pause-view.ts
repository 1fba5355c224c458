// Operators' pauses as the commands print them (status, plan, pause, resume). The reason is an
// operator's free text: one line here, its line breaks shown as escapes, and every other control
// character escaped by the terminal sink.

import type { Pause, Pauses } from '../engine/status.js';
import { LINE_TERMINATOR, unicodeEscape } from '../text/control.js';
import { isoTime } from './format.js';

function oneLine(text: string): string {
  return text.replace(LINE_TERMINATOR, (breaks) => [...breaks].map(unicodeEscape).join(''));
}

export function scopeText(batch: string | null): string {
  return batch === null ? 'the campaign' : `batch ${batch}`;
}

/** `by Ana <ana@example.com> at 2026-12-07 04:50:01Z: the SAN-2 array is failing` */
export function pauseText(pause: Pause): string {
  return `by ${pause.by} at ${isoTime(pause.at)}: ${oneLine(pause.reason)}`;
}

/** One line per pause in force, the campaign's first, each with the command that lifts it; none when nothing is paused. */
export function pauseLines(pauses: Pauses): string[] {
  const lines: string[] = [];
  if (pauses.campaign !== null) lines.push(`the campaign is paused ${pauseText(pauses.campaign)} ("ferry resume" lifts it)`);
  for (const batch of Object.keys(pauses.batches).sort()) lines.push(`batch ${batch} is paused ${pauseText(pauses.batches[batch]!)} ("ferry resume ${batch}" lifts it)`);
  return lines;
}

export type PauseJson = { by: string; at: string; reason: string };
export type PausesJson = { campaign: PauseJson | null; batches: Record<string, PauseJson> };

/** The same lines from the `--json` form a saved plan keeps (`ferry show`); a pause that does not fit that form is left out. */
export function pauseLinesOfJson(pauses: PausesJson): string[] {
  if (typeof pauses !== 'object' || pauses === null) return [];
  const back = (json: PauseJson | null | undefined): Pause | null => {
    if (typeof json !== 'object' || json === null) return null;
    const at = Date.parse(String(json.at));
    return typeof json.by === 'string' && typeof json.reason === 'string' && !Number.isNaN(at) ? { by: json.by, at, reason: json.reason } : null;
  };
  const batches: Record<string, Pause> = {};
  const listed = typeof pauses.batches === 'object' && pauses.batches !== null ? pauses.batches : {};
  for (const [name, json] of Object.entries(listed)) {
    const pause = back(json);
    if (pause !== null) batches[name] = pause;
  }
  return pauseLines({ campaign: back(pauses.campaign), batches });
}

export function pauseJson(pause: Pause | null): PauseJson | null {
  return pause === null ? null : { by: pause.by, at: new Date(pause.at).toISOString(), reason: pause.reason };
}

/** `--json`'s `pauses`: `{campaign, batches}` with ISO times. */
export function pausesJson(pauses: Pauses): PausesJson {
  return {
    campaign: pauseJson(pauses.campaign),
    batches: Object.fromEntries(Object.keys(pauses.batches).sort().map((name) => [name, pauseJson(pauses.batches[name]!)!])),
  };
}
