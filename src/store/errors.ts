// What can go wrong reading or writing the status branch, as a code, a place and a sentence
// (docs/status-branch.md, "Errors"). The store's API returns promises, so these are thrown;
// the reconcile loop catches them and reports them — a tick never writes over a branch it
// could not read.

export type StatusErrorCode =
  /** The branch was written by a newer Ferry. */
  | 'status-newer-format'
  /** status.yaml names a format that is not Ferry's, or an old one this Ferry cannot upgrade. */
  | 'status-unknown-format'
  /** A file does not parse, does not fit its format, or disagrees with status.yaml. */
  | 'status-corrupt'
  /** Local mode would move a branch that is checked out. */
  | 'status-checked-out'
  /** The remote refused the push for a reason other than the branch having moved. */
  | 'status-push-refused'
  /** A Git lock file on a status ref exists and a live git process may hold it. */
  | 'status-git-locked'
  /** Git itself failed (not a repository, no such remote, network). */
  | 'status-git';

export class StatusStoreError extends Error {
  constructor(
    readonly code: StatusErrorCode,
    message: string,
    /** The file of the status branch at fault, and the line (1-based) when known. */
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file === undefined ? message : `${file}${line === undefined ? '' : `:${line}`}: ${message}`);
    this.name = 'StatusStoreError';
  }
}

export function corrupt(file: string, line: number | undefined, message: string): StatusStoreError {
  return new StatusStoreError('status-corrupt', message, file, line);
}
