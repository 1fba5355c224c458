// Every way a command can fail, as the operator reads it: a stable code (docs/errors.md, "Command
// failures"), one line that says what happened, and what to do. Errors from below — Git, the file
// system, the network, the status store, the trust boundary, the simulator — are recognised by
// the rules of this file, in order; what no rule recognises is a bug in Ferry, reported as an
// internal error. A new kind of failure is one more rule (and its row in docs/errors.md).

import { GitError } from 'simple-git';
import { FileTooLargeError, GitRevisionError } from '../repo/files.js';
import { DesiredStateError } from '../reconcile/desired.js';
import { ProviderUnavailableError } from '../providers/compose.js';
import { ProviderError } from '../providers/ports.js';
import { WorldFileError } from '../providers/sim/jsonl.js';
import { SimulationDriftError } from '../providers/sim/seed.js';
import { StatusLocationError } from '../reconcile/store.js';
import { StatusStoreError, type StatusErrorCode } from '../store/index.js';
import { TrustRefusal } from '../trust/policy.js';
import { EvaluationBudgetError } from '../engine/evaluation.js';
import { FERRY_VERSION } from '../model/version.js';
import { GitHubApiError } from '../github/api.js';
import { GitHubContextError } from '../github/context.js';
import { UsageError } from './command.js';
import { JSON_FORMAT_VERSION, type CliIo } from './io.js';

/** A failure the operator can act on. */
export interface Failure {
  /** Stable (docs/errors.md); `usage` for a mistake on the command line that has no code of its own. */
  code: string;
  /** What happened, one line. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The file at fault, and where in it, when the failure has a place. */
  file?: string;
  line?: number;
  column?: number;
}

/** A failure a command raises itself, with its code: printed as one line, exit code 1, no stack. */
export class OperatorError extends UsageError {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { hint?: string; file?: string; line?: number; column?: number } = {},
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** Raises `failure` as an OperatorError (to rethrow a classified error where a UsageError is expected). */
export function operatorError(failure: Failure): OperatorError {
  const { code, message, ...details } = failure;
  return new OperatorError(code, message, details);
}

type Rule = (error: unknown) => Failure | null;

/** What the operator does about a status branch error (docs/status-branch.md, "Errors"). */
const STATUS_HINTS: Record<StatusErrorCode, string> = {
  'status-newer-format': `this is Ferry ${FERRY_VERSION}, and an older Ferry never rewrites what it does not understand`,
  'status-unknown-format': 'check that spec.status.branch in ferry.yaml names Ferry\'s status branch',
  'status-corrupt': 'run `ferry doctor` to find the damage and `ferry repair` to write a readable status on top of it (docs/operations.md, "Repairing the status branch")',
  'status-checked-out': 'check out another branch',
  'status-push-refused': 'let the reconciler\'s identity push to the status branch (branch protection, hooks)',
  'status-git-locked': 'wait for the git process working in this repository to end; if none runs, remove the lock file named',
  'status-git': 'see Git\'s message',
};

/** Git's words (its stderr, or a message quoting it) → a failure, when they say something an operator can fix. */
const GIT_RULES: { code: string; test: RegExp; hint: string }[] = [
  {
    // First: a fetch that cannot write what it receives also says "early EOF".
    code: 'disk-full',
    test: /No space left on device|Disk quota exceeded/i,
    hint: 'free some space, then run again',
  },
  {
    code: 'remote-auth',
    test: /could not read (Username|Password)|Authentication failed|Permission denied \(publickey|terminal prompts disabled|HTTP Basic: Access denied|returned error: 40[13]|Host key verification failed/i,
    hint: 'check the credentials Git uses for this remote (its credential helper, SSH key or token); "git fetch" should work from this shell',
  },
  {
    code: 'remote-unreachable',
    test: /does not appear to be a git repository|Could not resolve host|Failed to connect to|Connection refused|Connection timed out|timed out|Network is unreachable|No route to host|unable to access|Could not read from remote repository|repository '[^']*' not found|Connection reset|remote end hung up|early EOF|ssh: connect to host|Name or service not known|Temporary failure in name resolution/i,
    hint: 'check the remote\'s URL ("git remote -v") and the network, then run again; "git fetch" should work from this shell',
  },
  {
    code: 'no-such-remote',
    test: /No such remote|has no remote named|'[^']*' does not appear to be a remote/i,
    hint: 'add the remote ("git remote add NAME URL"), or set spec.status.local: true in ferry.yaml to keep the status branch in this repository only',
  },
  {
    code: 'not-a-git-repository',
    test: /not a git repository|is not in a Git repository/i,
    hint: 'run it in the campaign repository, or name it with --repo DIR; a new one needs "git init" and a first commit',
  },
  {
    code: 'git-not-found',
    test: /spawn git ENOENT|git could not be run/i,
    hint: 'install Git and put it on PATH: Ferry reads and writes the repository and its status branch with it',
  },
];

function gitFailure(text: string, fallback: string | null): Failure | null {
  const message = gitWords(text);
  for (const rule of GIT_RULES) if (rule.test.test(text)) return { code: rule.code, message, hint: rule.hint };
  return fallback === null ? null : { code: fallback, message, hint: 'see Git\'s message; run the same Git command in this shell for details' };
}

/** Git's stderr folded into one line: its `fatal:`/`error:` prefixes and its boilerplate dropped, repeats once. */
export function gitWords(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/(^|: )(fatal|error): /gi, '$1'))
    .filter((line) => line !== '' && !/^Please make sure you have the correct access rights$|^and the repository exists\.$/i.test(line));
  return [...new Set(lines)].join('; ').replace(/\.;/g, ';');
}

/** Node's errno codes of the file system, and what they mean to an operator. */
const FS_CODES: Record<string, { code: string; what: string; hint: string }> = {
  ENOENT: { code: 'path-not-found', what: 'no such file or directory', hint: 'check the path (and --repo)' },
  ENOTDIR: { code: 'path-not-found', what: 'a part of the path is not a directory', hint: 'check the path (and --repo)' },
  EISDIR: { code: 'path-not-found', what: 'is a directory, not a file', hint: 'name a file' },
  EACCES: { code: 'permission-denied', what: 'permission denied', hint: 'check the permissions of the file and of the user Ferry runs as' },
  EPERM: { code: 'permission-denied', what: 'operation not permitted', hint: 'check the permissions of the file and of the user Ferry runs as' },
  EROFS: { code: 'permission-denied', what: 'the file system is read-only', hint: 'run Ferry where it can write (the repository and the simulator\'s state file)' },
  ENOSPC: { code: 'disk-full', what: 'no space left on the device', hint: 'free some space, then run again' },
  EDQUOT: { code: 'disk-full', what: 'the disk quota is exhausted', hint: 'free some space, then run again' },
  EMFILE: { code: 'fs-error', what: 'too many open files', hint: 'raise the limit of open files (ulimit -n)' },
  ENFILE: { code: 'fs-error', what: 'too many open files in the system', hint: 'raise the limit of open files' },
  EIO: { code: 'fs-error', what: 'an input/output error', hint: 'check the disk' },
};

/** Node's and undici's codes of a connection that could not be made or was lost. */
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (yet)',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped coming',
  UND_ERR_SOCKET: 'connection lost',
};

const TLS_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_|ERR_SSL_|ERR_CERT_)/;

interface SystemError {
  code: string;
  message: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

function systemError(error: unknown): SystemError | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? (error as unknown as SystemError) : null;
}

const RULES: Rule[] = [
  (error) => (error instanceof OperatorError ? { code: error.code, message: error.message, ...error.details } : null),
  (error) => (error instanceof TrustRefusal ? { code: error.code, message: error.message } : null),
  (error) => {
    if (!(error instanceof StatusStoreError)) return null;
    if (error.code === 'status-git') return gitFailure(error.message, 'status-git');
    const prefix = error.file === undefined ? '' : `${error.file}${error.line === undefined ? '' : `:${error.line}`}: `;
    return {
      code: error.code,
      message: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
      hint: STATUS_HINTS[error.code],
      ...(error.file === undefined ? {} : { file: error.file }),
      ...(error.line === undefined ? {} : { line: error.line }),
    };
  },
  (error) => (error instanceof StatusLocationError ? { code: error.code, message: error.message } : null),
  (error) => (error instanceof GitRevisionError || error instanceof DesiredStateError ? { code: 'unknown-revision', message: error.message, hint: 'name a branch, tag or commit of this repository ("git fetch" it first)' } : null),
  (error) => (error instanceof FileTooLargeError ? { code: 'file-too-large', message: error.message, hint: 'split it' } : null),
  (error) => (error instanceof EvaluationBudgetError ? { code: error.problem.code, message: error.problem.message, file: error.problem.file, line: error.problem.line, column: error.problem.column } : null),
  (error) => (error instanceof ProviderUnavailableError ? { code: 'provider-unavailable', message: error.message, hint: 'use a Ferry built with that provider, or plan with --offline' } : null),
  (error) => (error instanceof SimulationDriftError ? { code: error.code, message: error.message, hint: error.hint, ...(error.origin ?? {}) } : null),
  (error) => (error instanceof WorldFileError ? { code: 'sim-state', message: error.message, hint: 'see the message; deleting the state file starts the simulation again' } : null),
  (error) => (error instanceof ProviderError && error.code === 'unreachable' ? { code: 'network-unreachable', message: error.message, hint: 'check the endpoint, the network and any proxy or firewall on the way' } : null),
  (error) => (error instanceof GitError ? gitFailure(error.message, 'git-failed') : null),
  // One that passes on a refusal (its cause) is described by the refusal, with the refusal's code.
  (error) => (error instanceof GitHubContextError && error.cause === undefined ? { code: 'github-context', message: error.message, hint: 'see docs/github.md for what the command needs from the job (its variables, its event, its checkout)' } : null),
  (error) => (error instanceof GitHubApiError ? { code: 'github-api', message: error.message, hint: githubApiHint(error.status) } : null),
  (error) => {
    const system = systemError(error);
    if (system === null) return null;
    if (system.syscall?.startsWith('spawn') && system.code === 'ENOENT') {
      return { code: 'program-not-found', message: `${system.path ?? system.syscall.slice(6)} could not be run: it is not installed or not on PATH`, hint: 'install it, or put it on PATH' };
    }
    const network = NETWORK_CODES[system.code];
    if (network !== undefined) {
      const host = system.hostname ?? system.address;
      const where = host === undefined ? '' : ` ${host}${system.port === undefined ? '' : `:${system.port}`}`;
      return { code: 'network-unreachable', message: `cannot reach${where}: ${network}`, hint: 'check the endpoint, the network and any proxy or firewall on the way' };
    }
    if (TLS_CODES.test(system.code)) {
      return { code: 'tls-error', message: `the TLS connection failed: ${system.message}`, hint: 'check the server\'s certificate and the fingerprint the repository pins (tls_fingerprint)' };
    }
    const fs = FS_CODES[system.code];
    if (fs !== undefined) {
      return { code: fs.code, message: `${system.path === undefined ? '' : `${system.path}: `}${fs.what}${system.syscall ? ` (${system.syscall})` : ''}`, hint: fs.hint, ...(system.path === undefined ? {} : { file: system.path }) };
    }
    return null;
  },
  // Last: a mistake on the command line without a code of its own.
  (error) => (error instanceof UsageError ? { code: 'usage', message: error.message } : null),
];

function githubApiHint(status: number): string {
  if (status === 0 || status >= 500) return 'GitHub did not answer as it should: run the job again later (githubstatus.com)';
  return 'check the token (FERRY_GITHUB_TOKEN or GITHUB_TOKEN) and the permissions the workflow grants it (docs/github.md)';
}

/** What `error` means to the operator; null when it is a bug in Ferry. Causes (`fetch failed` and its socket error) are looked through. */
export function describeFailure(error: unknown): Failure | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    for (const rule of RULES) {
      const failure = rule(current);
      if (failure !== null) return { ...failure, message: oneLine(failure.message) };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** Any text on one line: its lines joined with "; ". */
export function oneLine(text: string): string {
  return text
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}

/**
 * The one line on stderr: `ferry CMD: [FILE:LINE:COL: ]error CODE: MESSAGE; HINT` (a plain usage
 * mistake: `ferry CMD: MESSAGE`; a bug: `ferry CMD: internal error: MESSAGE; HINT`).
 */
export function failureLine(command: string, failure: Failure): string {
  const coded = failure.code === 'usage' ? failure.message : failure.code === 'internal' ? `internal error: ${failure.message}` : `error ${failure.code}: ${failure.message}`;
  return `${command}: ${placeOf(failure)}${withHint(coded, failure.hint)}\n`;
}

/**
 * A failure a loop waits out rather than ends on (apply --watch, an outage under --until-idle),
 * said once: `[FILE:LINE: ]warning CODE: MESSAGE; HINT; THEN` (THEN: what the loop does next).
 */
export function warningLine(failure: Failure, then: string): string {
  return `${placeOf(failure)}${withHint(`warning ${failure.code}: ${failure.message}`, failure.hint)}; ${then}`;
}

function placeOf(failure: Failure): string {
  return failure.file === undefined ? '' : `${[failure.file, failure.line, failure.column].filter((part) => part !== undefined).join(':')}: `;
}

function withHint(text: string, hint: string | undefined): string {
  return hint ? `${text.replace(/\.$/, '')}; ${hint}` : text;
}

/** The failure as --json documents carry it: `{code, message, hint, file, line, column}`, absent parts null. */
export function failureJson(failure: Failure): { code: string; message: string; hint: string | null; file: string | null; line: number | null; column: number | null } {
  return { code: failure.code, message: failure.message, hint: failure.hint ?? null, file: failure.file ?? null, line: failure.line ?? null, column: failure.column ?? null };
}

/** `--json`: the failure as one JSON line on stdout, `{format_version, error: {code, message, hint, file, line, column}}`. */
export function printFailureJson(io: CliIo, failure: Failure): void {
  io.stdout.write(`${JSON.stringify({ format_version: JSON_FORMAT_VERSION, error: failureJson(failure) })}\n`);
}
