// Decoding of string literals, following starlark-go's syntax/quote.go. Works on byte strings.

const UNESCAPE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Returns the decoded value, or throws a message string for a malformed literal. */
export function unquote(quoted: string): string {
  let raw = false;
  if (quoted.startsWith('r')) {
    raw = true;
    quoted = quoted.slice(1);
  }
  if (quoted.length < 2) throw 'string literal too short';
  const quote = quoted[0];
  if ((quote !== '"' && quote !== "'") || quote !== quoted[quoted.length - 1]) {
    throw 'string literal has invalid quotes';
  }
  if (quoted.length >= 6 && quoted[1] === quote && quoted[2] === quote && quoted.slice(0, 3) === quoted.slice(-3)) {
    quoted = quoted.slice(3, -3);
  } else {
    quoted = quoted.slice(1, -1);
  }
  const special = raw ? /\r/ : /[\\\r]/;
  if (!special.test(quoted)) return quoted;

  let out = '';
  while (quoted.length > 0) {
    const match = special.exec(quoted);
    const i = match ? match.index : quoted.length;
    out += quoted.slice(0, i);
    quoted = quoted.slice(i);
    if (quoted.length === 0) break;
    if (quoted[0] === '\r') {
      out += '\n';
      quoted = quoted.slice(quoted.length > 1 && quoted[1] === '\n' ? 2 : 1);
      continue;
    }
    if (quoted.length === 1) throw 'truncated escape sequence \\';
    const c = quoted[1];
    if (c === '\n') {
      quoted = quoted.slice(2);
    } else if (c in UNESCAPE) {
      out += UNESCAPE[c];
      quoted = quoted.slice(2);
    } else if (c >= '0' && c <= '7') {
      let n = c.charCodeAt(0) - 48;
      quoted = quoted.slice(2);
      for (let k = 1; k < 3; k++) {
        if (quoted.length === 0 || quoted[0] < '0' || quoted[0] > '7') break;
        n = n * 8 + quoted.charCodeAt(0) - 48;
        quoted = quoted.slice(1);
      }
      if (n >= 256) throw `invalid escape sequence \\${n.toString(8).padStart(3, '0')}`;
      out += String.fromCharCode(n);
    } else if (c === 'x') {
      if (quoted.length < 4) throw `truncated escape sequence ${quoted}`;
      const hex = quoted.slice(2, 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw `invalid escape sequence ${quoted.slice(0, 4)}`;
      out += String.fromCharCode(parseInt(hex, 16));
      quoted = quoted.slice(4);
    } else {
      throw `invalid escape sequence \\${c}`;
    }
  }
  return out;
}
