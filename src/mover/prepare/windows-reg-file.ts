// Registry values as hivex's tools write and read them: the .reg text `hivexregedit --merge`
// takes, and the values `hivexget HIVE KEY` prints. Pure, so the edits can be checked without a hive.

export type RegistryValue = { type: 'dword'; value: number } | { type: 'sz' | 'expand_sz'; value: string } | { type: 'other'; value: string };

/** One key and the values it must have (the key is created when missing; other values are kept). */
export interface RegistryKeyEdit {
  /** Path inside the hive, `ControlSet001\Services\vioscsi`. */
  key: string;
  values: Record<string, RegistryValue>;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

function hexOf(text: string): string {
  return [...Buffer.from(`${text}\0`, 'utf16le')].map((byte) => byte.toString(16).padStart(2, '0')).join(',');
}

function renderValue(name: string, value: RegistryValue): string {
  switch (value.type) {
    case 'dword':
      return `${quote(name)}=dword:${(value.value >>> 0).toString(16).padStart(8, '0')}`;
    case 'sz':
      return `${quote(name)}=${quote(value.value)}`;
    case 'expand_sz':
      return `${quote(name)}=hex(2):${hexOf(value.value)}`;
    case 'other':
      throw new Error(`renderValue: ${name} has a type Ferry does not write`);
  }
}

/**
 * The .reg file for `hivexregedit --merge --prefix PREFIX --encoding UTF-16LE`. Keys come in the
 * order given: a parent must come before its children (hivexregedit creates one level at a time).
 */
export function renderReg(prefix: string, edits: RegistryKeyEdit[]): string {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const edit of edits) {
    lines.push(`[${prefix}\\${edit.key}]`);
    for (const [name, value] of Object.entries(edit.values)) lines.push(renderValue(name, value));
    lines.push('');
  }
  return lines.join('\r\n');
}

/** The values `hivexget HIVE KEY` prints, one `"name"=…` line each (the default value is left out). */
export function parseValues(text: string): Map<string, RegistryValue> {
  const values = new Map<string, RegistryValue>();
  for (const line of text.split('\n')) {
    const match = /^("(?:[^"\\]|\\.)*")=(.*)$/.exec(line.trimEnd());
    if (match === null) continue;
    const name = unquote(match[1]!);
    const data = match[2]!;
    const dword = /^dword:([0-9a-f]{8})$/i.exec(data);
    const typed = /^str\((\d+)\):(".*")$/.exec(data);
    if (dword !== null) values.set(name, { type: 'dword', value: parseInt(dword[1]!, 16) });
    else if (data.startsWith('"')) values.set(name, { type: 'sz', value: unquote(data) });
    else if (typed !== null && (typed[1] === '1' || typed[1] === '2')) values.set(name, { type: typed[1] === '1' ? 'sz' : 'expand_sz', value: unquote(typed[2]!) });
    else values.set(name, { type: 'other', value: data });
  }
  return values;
}

export function sameValue(a: RegistryValue | undefined, b: RegistryValue): boolean {
  return a !== undefined && a.type === b.type && a.value === b.value;
}

/** What of `wanted` the key lacks, given its current values (null: the key is missing). */
export function missingValues(current: Map<string, RegistryValue> | null, wanted: Record<string, RegistryValue>): Record<string, RegistryValue> {
  return Object.fromEntries(Object.entries(wanted).filter(([name, value]) => !sameValue(current?.get(name), value)));
}
