// Go's strconv.Unquote for the expectations in chunked test files: "..." with Go escapes,
// or `...` raw strings.

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

export function goUnquote(quoted: string): string {
  if (quoted.length >= 2 && quoted.startsWith('`') && quoted.endsWith('`')) return quoted.slice(1, -1).replace(/\r/g, '');
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) throw new Error(`not a quoted string: ${quoted}`);
  const body = quoted.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '"') throw new Error(`unescaped quote in ${quoted}`);
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e in SIMPLE) {
      out += SIMPLE[e];
      i += 2;
    } else if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === 'u') {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e === 'U') {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 10), 16));
      i += 10;
    } else if (e >= '0' && e <= '7') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 4), 8));
      i += 4;
    } else {
      throw new Error(`invalid escape \\${e} in ${quoted}`);
    }
  }
  return out;
}
