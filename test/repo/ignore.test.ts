import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IgnoreMatcher, MAX_IGNORE_PATTERNS, parseIgnore } from '../../src/repo/ignore.js';
import { tempDir } from '../helpers/cli.js';

const matcher = (text: string) => new IgnoreMatcher(parseIgnore(text).patterns);

/** The paths Git itself leaves out with this text as a .gitignore (the untracked files it does not list). */
function gitIgnored(ignore: string, paths: string[]): string[] {
  const dir = tempDir('ferry-ignore-');
  execFileSync('git', ['init', '-q'], { cwd: dir });
  writeFileSync(join(dir, '.gitignore'), ignore);
  for (const path of paths) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), '');
  }
  const listed = new Set(execFileSync('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: dir, encoding: 'utf8' }).split('\0'));
  return paths.filter((path) => !listed.has(path));
}

const PATHS = [
  'ferry.yaml', 'mkdocs.yml', 'docs/index.yaml', 'docs/site/x.yaml', 'docs/site/deep/y.yaml',
  'a/keep.yaml', 'a/b/c.yaml', 'a/b/keep.yaml', 'x/a.yaml', 'x/docs/z.yaml', 'b/docs', 'b/docsy.yaml',
  'batches/wave-1.yaml', 'batches/draft-wave.yaml', 'batches/old/wave-0.yaml', '#hash.yaml', '!bang.yaml',
  'space .yaml', 'trail.yaml ', 'star*.yaml', 'q?.yaml', 'w1.yaml', 'w9.yaml', 'wx.yaml', 'W2.yaml',
  'abc/def/ghi.yaml', 'abc/ghi.yaml', 'abcghi.yaml', '.hidden.yaml', 'back\\slash.yaml',
];

// Each text is checked against Git's own answer for every path above.
const CASES: Record<string, string> = {
  'a name matches at any depth': 'docs\n',
  'a leading slash anchors at the root': '/docs\n',
  'a middle slash anchors too': 'docs/site\n',
  'a trailing slash matches directories only': 'docs/\nb/docs/\n',
  'negation re-includes a file': '*.yaml\n!ferry.yaml\n',
  'a file in an excluded directory cannot be re-included': 'a/\n!a/keep.yaml\n',
  'a trailing /** excludes what is inside, so negation works': 'a/**\n!a/keep.yaml\n!a/b/\n',
  'leading **/ matches in every directory': '**/docs\n',
  'a middle /**/ matches zero or more directories': 'abc/**/ghi.yaml\n',
  '** that is not a whole segment is a star': 'abc**.yaml\n',
  'star, question mark, ranges and classes': 'w[0-5].yaml\nq?.yaml\n[[:upper:]]*.yaml\n',
  'negated classes': 'w[!0-5].yaml\n',
  'escapes: hash, bang, star, question mark, trailing space': '\\#hash.yaml\n\\!bang.yaml\nstar\\*.yaml\ntrail.yaml\\ \n',
  'comments, blank lines and unescaped trailing spaces': '# a comment\n\nmkdocs.yml   \n',
  'the last matching pattern decides': 'batches/*.yaml\n!batches/wave-*.yaml\nbatches/wave-1.yaml\n',
  'a pattern with an inner space': 'space .yaml\n',
  'a star matches dot files': '*.yaml\n!/[a-z]*.yaml\n',
  'an unclosed bracket matches nothing': 'w[1.yaml\n',
  'CRLF line ends': 'mkdocs.yml\r\ndocs/\r\n',
  'a backslash inside a name': 'back\\\\slash.yaml\n',
};

describe('.ferryignore matching (gitignore rules)', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`agrees with Git: ${name}`, () => {
      const ours = matcher(text);
      expect(PATHS.filter((path) => ours.ignores(path))).toEqual(gitIgnored(text, PATHS));
    });
  }

  it('answers the documented examples', () => {
    const ignore = matcher('docs/\nmkdocs.yml\nbatches/drafts/**\n!batches/drafts/keep.yaml\n');
    expect(ignore.ignores('docs/conf.yaml')).toBe(true);
    expect(ignore.ignores('x/docs/conf.yaml')).toBe(true);
    expect(ignore.ignores('mkdocs.yml')).toBe(true);
    expect(ignore.ignores('batches/drafts/a.yaml')).toBe(true);
    expect(ignore.ignores('batches/drafts/keep.yaml')).toBe(false);
    expect(ignore.ignores('batches/wave-1.yaml')).toBe(false);
  });

  it('keeps at most MAX_IGNORE_PATTERNS patterns and says where it stopped', () => {
    const lines = ['# header', ...Array.from({ length: MAX_IGNORE_PATTERNS + 5 }, (_, i) => `file-${i}.yaml`)];
    const parsed = parseIgnore(lines.join('\n'));
    expect(parsed.patterns).toHaveLength(MAX_IGNORE_PATTERNS);
    expect(parsed.dropped).toBe(5);
    expect(parsed.firstDroppedLine).toBe(MAX_IGNORE_PATTERNS + 2);
  });

  it('stays polynomial on patterns built to make a backtracking matcher explode', () => {
    // A regular-expression translation of these takes exponential time on this path.
    const hostile = matcher(`${'*a'.repeat(100)}*b\n${'**/a/'.repeat(50)}**/b\n`);
    const path = `${'a/'.repeat(100)}${'a'.repeat(250)}`;
    const started = performance.now();
    expect(hostile.ignores(path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
