// The commits of the status branch as `ferry doctor` and `ferry repair` see them: who wrote each
// one, when, and — from the trailers every status commit Ferry writes ends with — which Ferry and
// which status format (docs/status-branch.md, "Commits"). A commit message is untrusted text (anyone
// with push access can write one): what is kept of it is bounded, on one line, with its control
// characters shown as escapes, and a trailer counts only when its value has the form Ferry writes.

import { STATUS_FORMAT } from '../engine/status.js';
import { FERRY_VERSION } from '../model/version.js';
import { CONTROL_CHARACTER, LINE_TERMINATOR, unicodeEscape } from '../text/control.js';
import { formatNumber } from './format.js';
import { readObjects } from './git.js';

export const VERSION_TRAILER = 'Ferry-Version';
export const FORMAT_TRAILER = 'Ferry-Status-Format';

/** What Ferry writes as a version (package.json's), bounded: anything else in the trailer is not one. */
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/;
/** The longest subject or author kept, in characters. */
const TEXT_LIMIT = 200;

export interface StatusCommit {
  id: string;
  parents: string[];
  /** `Name <email>`, bounded and escaped. */
  author: string;
  /** The author date, epoch milliseconds. */
  date: number;
  /** The message's first line, bounded and escaped. */
  subject: string;
  /**
   * Set when the message has a Ferry-Version trailer, i.e. Ferry wrote the commit (a hand commit
   * has none): the version and the status format it names, each null when its value is not one.
   */
  writtenBy: { version: string | null; format: string | null } | null;
}

/**
 * The message with Ferry's trailers at its end (in the message's own trailer block when it ends with
 * one): which Ferry wrote the commit, and the status format of its tree.
 */
export function withFerryTrailers(message: string): string {
  const trailers = `${VERSION_TRAILER}: ${FERRY_VERSION}\n${FORMAT_TRAILER}: ${STATUS_FORMAT}`;
  const body = message.replace(/\s+$/, '');
  const paragraphs = body.split(/\n[ \t]*\n/);
  // The subject is never a trailer block, even when it looks like one ("ferry: 3 changes").
  const endsWithTrailers = paragraphs.length > 1 && paragraphs[paragraphs.length - 1]!.split('\n').every((line) => /^[A-Za-z0-9-]+: \S/.test(line));
  return `${body}${endsWithTrailers ? '\n' : '\n\n'}${trailers}\n`;
}

/** Untrusted text on one line: line breaks as spaces, controls as `\uXXXX`, cut at `limit` characters. */
export function oneLineText(text: string, limit = TEXT_LIMIT): string {
  const line = text.replace(LINE_TERMINATOR, ' ').replace(CONTROL_CHARACTER, unicodeEscape).trim();
  return line.length <= limit ? line : `${line.slice(0, limit - 1)}…`;
}

/** A raw commit object (`git cat-file commit`) as the walk needs it. */
export function parseCommit(id: string, raw: string): StatusCommit {
  const split = raw.indexOf('\n\n');
  const headers = (split < 0 ? raw : raw.slice(0, split)).split('\n');
  const message = split < 0 ? '' : raw.slice(split + 2);
  const parents = headers.filter((h) => h.startsWith('parent ')).map((h) => h.slice('parent '.length).trim());
  const author = /^author (.*) <([^>\n]*)> (\d+) [+-]\d{4}$/.exec(headers.find((h) => h.startsWith('author ')) ?? '');
  return {
    id,
    parents,
    author: author ? oneLineText(`${author[1]} <${author[2]}>`) : '(no author)',
    date: author ? Number(author[3]) * 1000 : 0,
    subject: oneLineText(message.split('\n', 1)[0] ?? ''),
    writtenBy: ferryTrailers(message),
  };
}

/** Ferry's trailers in the message's last paragraph (git's trailer block), or null when it has no Ferry-Version. */
export function ferryTrailers(message: string): StatusCommit['writtenBy'] {
  const paragraphs = message.replace(/\s+$/, '').split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return null;
  const values = new Map<string, string>();
  for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
    const trailer = /^([A-Za-z0-9-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (trailer && !values.has(trailer[1]!.toLowerCase())) values.set(trailer[1]!.toLowerCase(), trailer[2]!);
  }
  const version = values.get(VERSION_TRAILER.toLowerCase());
  if (version === undefined) return null;
  const format = values.get(FORMAT_TRAILER.toLowerCase());
  return {
    version: VERSION_PATTERN.test(version) ? version : null,
    format: format !== undefined && format.length <= 40 && formatNumber(format) !== undefined ? format : null,
  };
}

/** The commits, parsed, in the order of `ids`. */
export async function readCommits(repoDir: string, ids: readonly string[]): Promise<StatusCommit[]> {
  const raw = await readObjects(repoDir, ids, 'commit');
  return ids.map((id) => parseCommit(id, raw.get(id)!));
}
