import { posix } from 'node:path';
import { quoted } from '../text/excerpt.js';

export type RepoPathResult = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Resolves a file reference written in a document (relative to that document's file) to a path
 * relative to the repository root. Absolute paths and paths that leave the repository are refused:
 * repository content is untrusted and must not make Ferry read files outside it.
 */
export function resolveRepoPath(documentFile: string, reference: string): RepoPathResult {
  if (reference.startsWith('/') || /^[A-Za-z]:/.test(reference) || reference.includes('\\')) {
    return { ok: false, reason: `${quoted(reference)} must be a relative path inside the repository` };
  }
  const path = posix.normalize(posix.join(posix.dirname(documentFile), reference));
  if (path === '..' || path.startsWith('../')) return { ok: false, reason: `${quoted(reference)} points outside the repository` };
  return { ok: true, path };
}
