import { describe, expect, it } from 'vitest';
import {
  annotationMessage,
  annotationTitle,
  htmlText,
  markdownCode,
  markdownTableCode,
  markdownText,
  mermaidName,
  plainLine,
  pullRequestTitle,
  statusDescription,
} from '../../src/text/markup.js';

const Z = '\u200b';

describe('Markdown text', () => {
  it.each([
    ['plain names stay as they are', 'web-fe-01', 'web-fe-01'],
    ['every line terminator becomes a space', 'a\nb\rc\r\nd\ve\ff\u0085g\u2028h\u2029i', 'a b c d e f g h i'],
    ['other controls and bidirectional overrides go', 'a\u001b[31mb\u0007c\u009bd\u202ee\u2066f', 'a\\[31mbcdef'],
    ['HTML is entities', '<img src=x> & </details>', '&lt;img src=x&gt; &amp; &lt;/details&gt;'],
    ['links and images are escaped', '![i](https://e.x/p.png) [a](b)', '\\!\\[i\\](https:\u200b//e.x/p.png) \\[a\\](b)'],
    ['emphasis, code, strikethrough and pipes are escaped', '*a* _b_ `c` ~d~ e|f \\', '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ e\\|f \\\\'],
    ['mentions and references are broken', '@admin @org/team #12 GH-7 o/r#3', `@${Z}admin @${Z}org/team \\#${Z}12 GH-${Z}7 o/r\\#${Z}3`],
    ['autolinks are broken', 'https://e.x www.e.x a@b.x', `https:${Z}//e.x www${Z}.e.x a@${Z}b.x`],
    ['emoji shortcodes and math are broken', ':shipit: :ab: $x$', `:${Z}shipit: :${Z}ab: &#36;x&#36;`],
    ['MAC addresses and times are left alone', 'NIC 00:50:56:12:21:8a at 04:00:00', 'NIC 00:50:56:12:21:8a at 04:00:00'],
    ['a leading list marker is escaped', '- x', '\\- x'],
    ['a leading ordered-list marker is escaped', '12. x', '12\\. x'],
    ['leading spaces cannot make a code block', '     code', 'code'],
    ['a heading marker is escaped', '# h', '\\# h'],
  ])('%s', (_, input, expected) => {
    expect(markdownText(input)).toBe(expected);
  });
});

describe('code spans', () => {
  it.each([
    ['plain', 'abc', '`abc`'],
    ['a fence longer than any run of backticks inside', 'a``b', '```a``b```'],
    ['padded when the text starts or ends with a backtick', '`x', '`` `x ``'],
    ['one line', 'a\nb\u2028c', '`a b c`'],
    ['no controls', 'a\u001bb', '`ab`'],
    ['no colour swatch', '#ff0000', `\`#${Z}ff0000\``],
  ])('%s', (_, input, expected) => {
    expect(markdownCode(input)).toBe(expected);
  });

  it('in a table, pipes are escaped and a backslash before one is kept apart from the escape', () => {
    expect(markdownTableCode('a|b')).toBe('`a\\|b`');
    expect(markdownTableCode('a\\|b')).toBe(`\`a\\${Z}\\|b\``);
    expect(markdownCode('a|b')).toBe('`a|b`');
  });
});

describe('HTML text', () => {
  it('is character references for everything HTML or Markdown reads', () => {
    expect(htmlText('</summary><b>"x"</b> [a](b) *c* `d` #1 @e')).toBe(`&lt;/summary&gt;&lt;b&gt;&quot;x&quot;&lt;/b&gt; &#91;a&#93;(b) &#42;c&#42; &#96;d&#96; &#35;${Z}1 @${Z}e`);
    expect(htmlText('a\r\nb')).toBe('a b');
  });
});

describe('Mermaid names', () => {
  it.each([
    ['keeps a plain name', 'night-1', 'night-1'],
    ['drops Mermaid syntax', 'a:b;c#d%%{init}%%"e"`f`<g>', 'a b c d init e f g'],
    ['never starts with a keyword', 'click w0 href', `${Z}click w0 href`],
    ['never starts with a date', '2026-12-01 x', `${Z}2026-12-01 x`],
    ['falls back when nothing is left', '\n:;#', 'window'],
    ['is bounded', 'x'.repeat(200), `${'x'.repeat(79)}…`],
  ])('%s', (_, input, expected) => {
    expect(mermaidName(input, 'window')).toBe(expected);
  });
});

describe('plain text', () => {
  it('strips controls, keeps lines only where lines are allowed, and bounds the length', () => {
    expect(annotationTitle('a\u001b[2Jb\nc')).toBe('a[2Jb c');
    expect(annotationMessage('one\r\ntwo\u2028three\u0007')).toBe('one\ntwo\nthree');
    expect(statusDescription('x'.repeat(200))).toHaveLength(140);
    expect(plainLine('😀'.repeat(10), 6)).toBe('😀😀…');
    expect(pullRequestTitle('Ferry: resolve 1 conflict in wave#12')).toBe(`Ferry: resolve 1 conflict in wave#${Z}12`);
  });
});
