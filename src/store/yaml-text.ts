// YAML text for the few fixed structures the store writes by hand (status.yaml, the Resolution
// snippets of CONFLICTS.md): a scalar is written plain only when no YAML reader can take it for
// anything but that string, otherwise double-quoted — JSON's string syntax is valid YAML.

const WORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);
const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$/;

export function yamlString(value: string): string {
  return (PLAIN.test(value) && !WORDS.has(value.toLowerCase())) || TIME.test(value) ? value : JSON.stringify(value);
}

export function yamlValue(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return yamlString(value);
  return String(value);
}

/** `{a: 1, b: two}`: a flow mapping on one line, keys in the order given. */
export function yamlFlow(entries: Iterable<[string, string | number | boolean | null]>): string {
  const parts: string[] = [];
  for (const [key, value] of entries) parts.push(`${yamlString(key)}: ${yamlValue(value)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * Any text as a double-quoted YAML scalar on one line, whatever it holds (an operator's reason):
 * JSON's escapes, plus \u escapes for what YAML does not allow raw in a double-quoted scalar
 * (DEL, C1 controls, the byte order mark) and for the line and paragraph separators.
 */
export function yamlQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
