// Git's own housekeeping of the repository the store writes in, run after each write as `git
// commit` runs it: every tick adds loose objects, and a large write a pack of its own; left
// alone, they pile up (remote mode's fetch runs the same housekeeping, local mode nothing else).
// `git maintenance run --auto` packs only past Git's thresholds (gc.auto, gc.autoPackLimit, both
// the operator's to change), does the part that takes ref locks before returning and the repack
// detached (gc.autoDetach), and one at a time per repository (its own lock). Its failure is not
// the write's: the status is already published.

import { StatusStoreError } from './errors.js';
import { git, redact } from './git.js';

/** Runs Git's automatic maintenance; returns what went wrong as one sentence, or null. */
export async function runMaintenance(repoDir: string): Promise<string | null> {
  let complaint: string;
  try {
    // Exit code 0 with words on stderr: a detached gc failed earlier and Git waits until its gc.log is removed.
    complaint = (await git(repoDir, ['maintenance', 'run', '--auto', '--quiet'])).stderr;
  } catch (error) {
    if (!(error instanceof StatusStoreError)) throw error;
    complaint = error.message;
  }
  const words = redact(complaint).replace(/\s+/g, ' ').trim();
  if (words === '') return null;
  return `Git's housekeeping of ${repoDir} failed (the status was written; loose objects and packs pile up until it runs again): ${words}`;
}
