import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlText, markdownCode, markdownTableCode, markdownText, mermaidName } from '../../src/text/markup.js';
import { benign, elements, hostileText, linked, mermaidLines, strayDollars, toHtml, visibleText } from './hostile.js';

/** The text the renderers promise to show: one line, no controls, single spaces, trimmed. */
function shown(text: string): string {
  return text
    .replace(/\r\n|[\n\v\f\r\u0085\u2028\u2029\t]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

const withoutZeroWidth = (text: string) => text.replace(/\u200b/g, '');

/** Each context as a small page around one text. */
const CONTEXTS: Record<string, (text: string) => string> = {
  'a list item': (text) => `- ${markdownText(text)}\n`,
  'a block quote': (text) => `> ${markdownText(text)}\n`,
  'a heading': (text) => `### ${markdownText(text)}\n`,
  'bold in a paragraph': (text) => `In **${markdownText(text)}**: ${markdownText(text)}.\n`,
  'a table': (text) => `| a | b |\n|---|---|\n| ${markdownText(text)} | ${markdownTableCode(text)} |\n`,
  'a code span': (text) => `Code ${markdownCode(text)} here.\n`,
  'a summary': (text) => `<details>\n<summary><b>${htmlText(text)}</b> — x</summary>\n\nbody\n\n</details>\n`,
  'HTML in a paragraph': (text) => `<sub>Unchanged: ${htmlText(text)}</sub>\n`,
  'HTML in a list item': (text) => `- <b>${htmlText(text)}</b> — x\n`,
};

describe('each context keeps hostile text inert (CommonMark + GFM, micromark)', () => {
  for (const [name, page] of Object.entries(CONTEXTS)) {
    it(`in ${name}`, () => {
      fc.assert(
        fc.property(hostileText, (text) => {
          const markdown = page(text);
          const html = toHtml(markdown);
          const reference = toHtml(page(benign(text)));
          expect(elements(html)).toEqual(elements(reference));
          expect(linked(html)).toEqual(linked(reference));
          expect(strayDollars(markdown, html)).toBe(0);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('shows Markdown and HTML text as the data, on one line', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const expected = withoutZeroWidth(shown(text)).trim();
        expect(withoutZeroWidth(visibleText(toHtml(`- ${markdownText(text)}`))).trim()).toBe(expected);
        expect(withoutZeroWidth(visibleText(toHtml(`<sub>${htmlText(text)}</sub>`))).trim()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('shows a code span as the data, in a table too', () => {
    const code = (html: string) => withoutZeroWidth(/<code>([\s\S]*)<\/code>/.exec(html)![1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    fc.assert(
      fc.property(hostileText, (text) => {
        const content = text.replace(/\r\n|[\n\v\f\r\u0085\u2028\u2029\t]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
        const span = withoutZeroWidth(content === '' ? ' ' : content);
        expect(code(toHtml(markdownCode(text)))).toBe(span);
        expect(code(toHtml(`| a |\n|---|\n| ${markdownTableCode(text)} |`))).toBe(span);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a Mermaid task on its line, named by letters, digits and plain punctuation only', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const lines = mermaidLines(toHtml(`\`\`\`mermaid\ngantt\n    section ${mermaidName(text, 'batch')}\n    ${mermaidName(text, 'window')} (1) :w0, 2026-01-01T00:00, 2026-01-02T00:00\n\`\`\`\n`));
        expect(lines).toHaveLength(3);
        expect(lines[1]).toMatch(/^ {4}section \u200b?[\p{L}\p{M}\p{N} ._,/()+=…-]+$/u);
        expect(lines[2]).toMatch(/^ {4}\u200b?[\p{L}\p{M}\p{N} ._,/()+=…-]+ \(1\) :w0, 2026-01-01T00:00, 2026-01-02T00:00$/u);
      }),
      { numRuns: 200 },
    );
  });
});
