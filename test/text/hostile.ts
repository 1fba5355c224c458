// Hostile text and a real CommonMark + GFM renderer, for the property tests of every renderer that
// puts untrusted text into Markdown (test/github/render-hostile.test.ts, test/store/report-hostile.test.ts).
//
// The check: render a document once with hostile data and once with the same data with every
// punctuation and symbol character replaced by `x` (the benign twin: same lengths of words,
// same controls and whitespace, nothing Markdown or GitHub could read as syntax). Both must give
// the same elements in the same order with the same attributes, and the hostile one no more text
// that GitHub would link (mentions, references, URLs, emoji) than the benign one. micromark does
// not know GitHub's own post-processing, so that part is checked on the rendered text with
// GitHub's patterns, and math (`$`) on the Markdown source.

import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

const FRAGMENTS = [
  '\n', '\r', '\r\n', '\v', '\f', '\u0085', '\u2028', '\u2029', '\t', '\u0000', '\u0007', '\u001b[31m', '\u001b]8;;https://evil.example\u0007', '\u009b2J', '\u007f', '\u202e', '\u2066', '\u2069',
  '<', '>', '&', '|', '[', ']', '(', ')', '!', '@', '#', '%', '`', '```', '~~~', '*', '**', '_', '__', '~', '~~', '\\', '$', '$$', ':', ';', '"', "'", '{', '}', '=', '-', '+', '.',
  '<img src=x onerror=alert(1)>', '<a href="https://evil.example">x</a>', '</details>', '</summary>', '<details open>', '<script>alert(1)</script>', '<!--', '-->', '<b>', '</b>', '<sub>', '<br>',
  '&amp;', '&lt;b&gt;', '&#64;', '&#x3C;img&#x3E;', '&nbsp;',
  '[x](https://evil.example)', '![i](https://evil.example/p.png)', '[x]: https://evil.example', '<https://evil.example>', '[x][y]', '[^1]',
  'https://evil.example/a_b', 'http://e.x', 'ftp://e.x', 'www.evil.example', 'WWW.EVIL.EXAMPLE', 'admin@evil.example', 'mailto:a@b.example', 'xmpp:a@b.example',
  '@admin', '@org/team', '#123', 'GH-123', 'gh-9', 'owner/repo#123', 'owner/repo@abc1234', ':shipit:', ':+1:', '$x^2$', '$`x`$', '#ff0000', 'rgb(1,2,3)',
  '# ', '## h', '###### h', '> ', '- ', '* ', '+ ', '1. ', '1) ', '    ', '---', '***', '===', '| a | b |', '|---|---|', '- [ ] ', '> [!NOTE]',
  '%%{init: {"theme":"dark"}}%%', 'click w0 href "javascript:alert(1)"', 'call alert(1)', ':crit, w9, 2026-01-01T00:00, 2026-01-02T00:00', 'section x', '2026-01-01', 'gantt', 'title x',
  '\ud83d\ude00', '\u200b', '\ufeff', 'é', 'a', 'wave-1', ' ',
];

/** A string an attacker might put in a name or a message. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join('')) },
  // Long: one fragment repeated (the renderers' limits are tested with longer texts on their own).
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FRAGMENTS), fc.integer({ min: 100, max: 400 })).map(([fragment, n]) => fragment.repeat(Math.ceil(n / fragment.length))) },
);

/** The same text with nothing any renderer reads as syntax: punctuation and symbols become `x`. */
export function benign(text: string): string {
  return text.replace(/[\p{P}\p{S}]/gu, 'x');
}

/** CommonMark with GFM (tables, autolink literals, strikethrough, task lists, the tag filter); raw HTML passes as it is, to be seen. */
const OPTIONS = { allowDangerousHtml: true, allowDangerousProtocol: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] };

export function toHtml(markdown: string): string {
  return micromark(markdown, OPTIONS);
}

/** The tags of a page in order, with their attributes (and comments): its structure, whatever the text. */
export function elements(html: string): string[] {
  return [...html.matchAll(/<!--[\s\S]*?-->|<\/?[A-Za-z][^\s/>]*(?:\s[^>]*)?\/?>/g)].map((match) => match[0]);
}

function decode(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const CODE = /<pre[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>/g;

/** The text GitHub's filters see: outside code, links and comments, character references decoded. */
export function visibleText(html: string): string {
  return decode(html.replace(CODE, ' ').replace(/<a\s[\s\S]*?<\/a>|<!--[\s\S]*?-->/g, ' ').replace(/<[^>]*>/g, ' '));
}

/** What GitHub links or replaces in rendered text. */
export const GITHUB_LINKED: Record<string, RegExp> = {
  mention: /@[A-Za-z0-9]/g,
  'issue reference': /#\d/g,
  'GH- reference': /\bgh-\d/gi,
  'URL with a scheme': /[a-z][a-z0-9+.-]*:\/\//gi,
  'www. link': /www\./gi,
  emoji: /:([\w+-]*[g-zG-Z_+-][\w+-]*|100|1234|a|b|ab|abc|cd):/g,
};

/** How many of each GitHub pattern the page's visible text holds. */
export function linked(html: string): Record<string, number> {
  const text = visibleText(html);
  return Object.fromEntries(Object.entries(GITHUB_LINKED).map(([name, pattern]) => [name, text.match(pattern)?.length ?? 0]));
}

/** `$` in the source that is not inside code on the page: GitHub could start math there. */
export function strayDollars(markdown: string, html: string): number {
  const inCode = (html.match(CODE) ?? []).join('').split('$').length - 1;
  return markdown.split('$').length - 1 - inCode;
}

/** The lines of the page's Mermaid block, decoded. */
export function mermaidLines(html: string): string[] {
  const block = /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/.exec(html);
  return block ? decode(block[1]!).split('\n').filter((line) => line !== '') : [];
}
