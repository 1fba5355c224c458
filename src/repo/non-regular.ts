// Entries of a repository that are not regular files — symbolic links, FIFOs, sockets, devices,
// Git submodules — are never read (./files.ts), and never silently: where Ferry reads documents
// such an entry is an error; where a YAML file could be a document, a warning; elsewhere it is not
// a document and not Ferry's business (docs/repository-format.md, "Files Ferry reads").

import type { Problem } from '../model/problem.js';
import type { NonRegularEntry, NonRegularType } from './files.js';
import { IGNORE_FILE, type IgnoreMatcher } from './ignore.js';
import { FERRY_FOLDERS, FERRY_PLACES, YAML_FILE } from './places.js';

/** What the entry is, and why Ferry does not read it. */
export function describeNonRegular(type: NonRegularType): string {
  switch (type) {
    case 'symlink': return 'a symbolic link, not a file: Ferry never follows links (one could point outside the repository)';
    case 'fifo': return 'a FIFO (named pipe), not a file: Ferry never opens one (reading it would wait for a writer)';
    case 'socket': return 'a socket, not a file: Ferry does not read it';
    case 'device': return 'a device, not a file: Ferry does not read it';
    case 'submodule': return 'a Git submodule, not a file: Ferry does not read submodules';
  }
}

/**
 * The problems the entries make, and the YAML-named ones a `.ferryignore` excludes (listed as not
 * read, like the files it excludes).
 */
export function nonRegularProblems(entries: readonly NonRegularEntry[], ignore: IgnoreMatcher): { problems: Problem[]; ignored: string[] } {
  const problems: Problem[] = [];
  const ignored: string[] = [];
  for (const { path, type } of entries) {
    const what = describeNonRegular(type);
    const report = (severity: Problem['severity'], message: string) => problems.push({ file: path, line: 1, column: 1, code: 'not-a-regular-file', severity, message });
    if (path === IGNORE_FILE) {
      report('error', `${what}; it was not read, so every YAML file was: make it a regular file`);
      continue;
    }
    if (ignore.ignores(path)) {
      if (YAML_FILE.test(path)) ignored.push(path);
      continue;
    }
    const folder = FERRY_FOLDERS.find((name) => path === name);
    if (folder !== undefined) {
      report('error', `${what}; every document in ${folder}/ is read, so none was: make it a directory of regular files`);
    } else if (YAML_FILE.test(path) && FERRY_PLACES.test(path)) {
      report('error', `${what}; a YAML file here is a Ferry document, and it was not read: put the file itself here`);
    } else if (YAML_FILE.test(path)) {
      report('warning', `${what}; it was not read: if it holds Ferry documents make it a regular file, otherwise list it in ${IGNORE_FILE}`);
    } else if (FERRY_FOLDERS.some((name) => path.startsWith(`${name}/`))) {
      report('warning', `${what}; nothing in or behind it was read: make it a regular file, or move it out of ${path.slice(0, path.indexOf('/'))}/`);
    }
  }
  return { problems, ignored };
}
