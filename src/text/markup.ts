// The one place where text Ferry did not write — batch, VM and window names, locations, messages,
// scriptlet log lines, problem messages, from pull requests, forks and vCenter inventories —
// becomes Markdown, HTML, Mermaid or plain text. There is one function per context; each returns
// text that shows as the data there and as nothing else: no element, link, image, heading, line
// break, mention or reference comes out of data. Callers pick the context and never escape.
//
// GitHub links mentions (`@user`, `@org/team`), issue references (`#123`, `GH-123`,
// `owner/repo#123`), emoji shortcodes and URLs (`https://…`, `www.…`, e-mail addresses) in the text
// of the rendered page, after Markdown is parsed: a backslash or an entity turns back into the
// same character before that, so these are broken with a zero-width space instead.

import { CONTROL_CHARACTER, LINE_TERMINATOR } from './control.js';

const ZERO_WIDTH_SPACE = '\u200b';

/** One line: line terminators and tabs become spaces, other controls go, runs of spaces shrink. */
function oneLine(text: string): string {
  return text.replace(LINE_TERMINATOR, ' ').replace(CONTROL_CHARACTER, (c) => (c === '\t' ? ' ' : '')).replace(/ {2,}/g, ' ').trim();
}

/**
 * An emoji shortcode's name: GitHub's names are words with a letter past `f`, `_`, `+` or `-`, or
 * one of the few made of hex digits only — so MAC addresses and times (`00:50:56:0a`, `04:00:00`)
 * are left alone. A `:name` at the end counts: the text Ferry writes next may be the closing colon.
 */
const EMOJI_OPENING = /:(?=([\w+-]*[g-zG-Z_+-][\w+-]*|100|1234|a|b|ab|abc|cd)(:|$))/g;

/** Breaks what GitHub would turn into a link, a mention, a reference or an emoji. */
function unlinked(text: string): string {
  const z = ZERO_WIDTH_SPACE;
  return text
    .replace(/@/g, `@${z}`)
    .replace(/#(?=\d)/g, `#${z}`)
    .replace(/\b(gh)-(?=\d)/gi, `$1-${z}`)
    .replace(/:(?=\/\/)/g, `:${z}`)
    .replace(/(www)\./gi, `$1${z}.`)
    .replace(EMOJI_OPENING, `:${z}`);
}

/** Markdown punctuation escaped with a backslash; `<>&` and `$` (GitHub math) as entities. */
const MARKDOWN_SPECIAL = /[\\`*_[\]#|~!<>&$]/g;
const MARKDOWN_ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', $: '&#36;' };

/**
 * Text anywhere inline in Markdown: a paragraph, a list item, a block quote, a heading, a table
 * cell (pipes are escaped everywhere, so one function serves both). On one line; a leading `-`,
 * `+`, `=` or `1.` is escaped so that text opening a list item or a quote starts no block.
 */
export function markdownText(text: string): string {
  const escaped = unlinked(oneLine(text)).replace(MARKDOWN_SPECIAL, (c) => MARKDOWN_ENTITY[c] ?? `\\${c}`);
  return escaped.replace(/^[-+=]/, '\\$&').replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

/** A code span's content on one line; a lone colour value is broken so GitHub shows no swatch. */
function codeContent(text: string): string {
  const flat = text.replace(LINE_TERMINATOR, ' ').replace(CONTROL_CHARACTER, (c) => (c === '\t' ? ' ' : ''));
  return /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\(.*\))$/i.test(flat) ? `${flat[0]}${ZERO_WIDTH_SPACE}${flat.slice(1)}` : flat;
}

/**
 * Backticks around content: a fence longer than any run inside, and a space inside each end where
 * CommonMark strips one (content that starts and ends with a space) or a backtick would join the
 * fence. Content of spaces only is shown as it is; an empty span cannot be written, so it is one space.
 */
function fenced(content: string): string {
  if (/^ *$/.test(content)) return `\`${content || ' '}\``;
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^`|`$|^ .* $/s.test(content) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A code span outside a table: shows the text as it is, on one line. */
export function markdownCode(text: string): string {
  return fenced(codeContent(text));
}

/**
 * A code span in a table cell: pipes are escaped, which GitHub undoes inside code in a table.
 * A backslash before a pipe is kept apart from the escape by a zero-width space, because GitHub
 * and CommonMark renderers disagree about an escaped backslash before a pipe in a table.
 */
export function markdownTableCode(text: string): string {
  return fenced(codeContent(text)).replace(/(\\?)\|/g, (_, backslash: string) => `${backslash}${backslash ? ZERO_WIDTH_SPACE : ''}\\|`);
}

const HTML_ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' };

/**
 * Text inside an HTML element (`<summary>`, `<b>`, `<sub>`): every character that means something
 * in HTML or in Markdown is a character reference, so the text stays inert both in an HTML block
 * and where Markdown goes on around the element (a `<sub>` in a paragraph, a title in a list).
 */
export function htmlText(text: string): string {
  return unlinked(oneLine(text)).replace(/[\\`*_[\]#|~!<>&"'$]/g, (c) => HTML_ENTITY[c] ?? `&#${c.charCodeAt(0)};`);
}

/** Gantt keywords Mermaid's lexer recognises at the start of a line, before a task's name. */
const MERMAID_KEYWORD = /^(gantt|click|call|href|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|section|accdescr|acctitle|\d{4}-\d\d-\d\d)/i;
const MERMAID_NAME_LIMIT = 80;

/**
 * A Mermaid gantt section or task name: letters, digits, spaces and `-_.,/()+=` only (Mermaid reads
 * `:`, `#`, `;` and `%%` as syntax, and quotes, braces and backticks could end more than the name),
 * at most 80 characters, never starting with a keyword; `fallback` when nothing is left.
 */
export function mermaidName(text: string, fallback: string): string {
  const kept = oneLine(text.replace(/[^\p{L}\p{M}\p{N} ._,/()+=-]/gu, ' '));
  const name = kept === '' ? fallback : bounded(kept, MERMAID_NAME_LIMIT);
  return MERMAID_KEYWORD.test(name) ? `${ZERO_WIDTH_SPACE}${name}` : name;
}

/** At most `limit` UTF-16 code units, cut between characters, with an ellipsis when cut. */
function bounded(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}…`;
}

/** Plain text on one line: controls removed, line terminators and tabs as spaces, bounded. */
export function plainLine(text: string, limit: number): string {
  return bounded(oneLine(text), limit);
}

/** Plain text of several lines: every line terminator is `\n`, other controls removed, bounded. */
export function plainText(text: string, limit: number): string {
  return bounded(text.replace(LINE_TERMINATOR, '\n').replace(CONTROL_CHARACTER, (c) => (c === '\n' ? c : c === '\t' ? ' ' : '')).trim(), limit);
}

/** A check-run annotation's title (GitHub takes 255 characters). */
export function annotationTitle(text: string): string {
  return plainLine(text, 255);
}

/** A check-run annotation's message (GitHub takes 64 KB; 20,000 UTF-16 units are at most 60 KB). */
export function annotationMessage(text: string): string {
  return plainText(text, 20_000);
}

/** A pull request's title: one line, at most 256 characters, with no reference GitHub would link. */
export function pullRequestTitle(text: string): string {
  return plainLine(unlinked(text), 256);
}

/** A commit status's description (GitHub takes 140 characters). */
export function statusDescription(text: string): string {
  return plainLine(text, 140);
}
