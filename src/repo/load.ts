import { isMap } from 'yaml';
import {
  DEFAULT_PROJECT,
  type Batch,
  type DesiredState,
  type InstanceOverride,
  type NetworkOverride,
  type Project,
  type Resolution,
  type Simulation,
  type Source,
  type Target,
} from '../model/desired.js';
import type {
  BatchDocument,
  InstanceOverrideDocument,
  NetworkOverrideDocument,
  ProjectDocument,
  ResolutionDocument,
  SimulationDocument,
  SourceDocument,
  TargetDocument,
} from '../model/generated/documents.js';
import { sortProblems, type Problem } from '../model/problem.js';
import { checkReferences } from './references.js';
import { DocumentContext } from './document-context.js';
import { FileTooLargeError, MAX_FILE_BYTES, MAX_REPOSITORY_BYTES, MAX_REPOSITORY_FILES, type RepoFiles } from './files.js';
import { IGNORE_FILE, IgnoreMatcher, MAX_IGNORE_BYTES, MAX_IGNORE_PATTERNS, parseIgnore } from './ignore.js';
import type { CompileHooks } from './hooks.js';
import { readBatch } from './kinds/batch.js';
import { LITERAL_SECRET_KEYS, readProject, readSource, readTarget } from './kinds/connections.js';
import { readInstanceOverride, readNetworkOverride } from './kinds/overrides.js';
import { readResolution } from './kinds/resolution.js';
import { readSimulation } from './kinds/simulation.js';
import { checkSimulation } from './simulation-references.js';
import { originOf, type DataPath } from './locate.js';
import { schemaProblems, splitInstancePath } from './schema-problems.js';
import { isKind, KINDS, kindValidator, type Kind, type SchemaError } from './schemas.js';
import { excerpt, quotedValue } from '../text/excerpt.js';
import { didYouMean } from '../text/suggest.js';
import { CURRENT_API_VERSION, detectFormat, upgradeDocument } from './versions/index.js';
import { parseYamlFile, type ParsedDocument, type ParsedFile } from './yaml-file.js';
import { checkFileReferences } from './file-references.js';
import { nonRegularProblems } from './non-regular.js';
import { FERRY_PLACES, YAML_FILE } from './places.js';

export interface LoadResult {
  /** The valid part of the desired state. Act on it only when `problems` has no error. */
  state: DesiredState;
  problems: Problem[];
  /** Every document read, with its kind and name, in file order. */
  documents: LoadedDocument[];
  /** YAML files not read as Ferry documents, by path, and why. */
  notRead: NotRead[];
  /**
   * The documents (`Kind/name`) with errors of their own — schema or field errors: what of them is
   * in `state` is partial, so checks that compare a whole document (the rules of started batches)
   * skip them while every other document is still checked.
   */
  flawed: Set<string>;
}

export interface NotRead {
  file: string;
  /** `ferryignore`: a `.ferryignore` pattern excludes it; `not-ferry`: no document in it claims a Ferry format. */
  reason: 'ferryignore' | 'not-ferry';
}

export interface LoadedDocument {
  kind: Kind;
  name: string;
  file: string;
  line: number;
  apiVersion: string;
}

export interface LoadOptions {
  hooks?: CompileHooks;
  /** Read every YAML file as Ferry's, claimed or not: files a command was given by name. */
  everyFile?: boolean;
}

/** Reads, validates and checks every document of a repository; reports all problems of the run. */
export async function loadRepository(files: RepoFiles, options: LoadOptions = {}): Promise<LoadResult> {
  const problems: Problem[] = [];
  const notRead: NotRead[] = [];
  const flawed = new Set<string>();
  const listing = await files.list();
  const sizes = new Map(listing.map((entry) => [entry.path, entry.size]));
  const ignore = await readIgnoreFile(files, problems);
  const nonRegular = await files.nonRegular();
  const unread = nonRegularProblems(nonRegular, ignore);
  append(problems, unread.problems);
  for (const file of unread.ignored) notRead.push({ file, reason: 'ferryignore' });
  const yamlPaths: string[] = [];
  let yamlBytes = 0;
  for (const { path, size } of listing) {
    if (!YAML_FILE.test(path)) continue;
    if (ignore.ignores(path)) {
      notRead.push({ file: path, reason: 'ferryignore' });
      continue;
    }
    if (size > MAX_FILE_BYTES) {
      problems.push({ file: path, line: 1, column: 1, code: 'file-too-large', severity: 'error', message: `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; split it` });
      continue;
    }
    // Past either bound nothing more is read: the files read so far are still checked.
    if (yamlPaths.length === MAX_REPOSITORY_FILES) {
      problems.push({ file: path, line: 1, column: 1, code: 'repo-too-many-files', severity: 'error', message: `the repository has more than ${MAX_REPOSITORY_FILES.toLocaleString('en-US')} YAML files; this one and those after it (by path) were not read` });
      break;
    }
    if (yamlBytes + size > MAX_REPOSITORY_BYTES) {
      problems.push({ file: path, line: 1, column: 1, code: 'repo-too-large', severity: 'error', message: `the repository's YAML files add up to more than ${MAX_REPOSITORY_BYTES / 1024 / 1024} MiB; this one and those after it (by path) were not read` });
      break;
    }
    yamlBytes += size;
    yamlPaths.push(path);
  }
  const texts = await files.readAll(yamlPaths);

  const state: DesiredState = {
    project: DEFAULT_PROJECT,
    sources: [],
    targets: [],
    batches: [],
    instanceOverrides: [],
    networkOverrides: [],
    resolutions: [],
    simulation: null,
  };
  const documents: LoadedDocument[] = [];
  /** Names of documents that exist but failed validation: references to them are not "unknown". */
  const invalidNames = new Map<Kind, Set<string>>(KINDS.map((kind) => [kind, new Set()]));
  const projects: Project[] = [];
  const simulations: Simulation[] = [];

  for (const path of yamlPaths) {
    const text = texts.get(path);
    if (text === undefined) continue;
    const parsedFile = parseYamlFile(path, text);
    if (options.everyFile !== true && !claimedByFerry(path, text, parsedFile)) {
      notRead.push({ file: path, reason: 'not-ferry' });
      continue;
    }
    append(problems, parsedFile.problems);
    for (const parsed of parsedFile.documents) {
      const before = problems.length;
      if (parsed.broken) {
        // The YAML error is reported; keep the name so references to it are not called unknown.
        const header = brokenHeader(parsed.data);
        if (header) invalidNames.get(header.kind)!.add(header.name);
        if (header) flawed.add(`${header.kind}/${header.name}`);
        continue;
      }
      const read = readDocument(parsed, problems);
      if (!read) continue;
      documents.push({ kind: read.kind, name: read.name, file: path, line: read.line, apiVersion: read.apiVersion });
      if (read.data === undefined) {
        invalidNames.get(read.kind)!.add(read.name);
        flawed.add(`${read.kind}/${read.name}`);
        continue;
      }
      const ctx = new DocumentContext(parsed, read.apiVersion, options.hooks ?? {});
      const model = readKind(ctx, read.kind, read.data);
      append(problems, ctx.problems);
      for (let i = before; i < problems.length; i++) {
        if (problems[i]!.severity === 'error') {
          flawed.add(`${read.kind}/${read.name}`);
          break;
        }
      }
      switch (model.kind) {
        case 'Project': projects.push(model.value); break;
        case 'Source': state.sources.push(model.value); break;
        case 'Target': state.targets.push(model.value); break;
        case 'Batch': state.batches.push(model.value); break;
        case 'InstanceOverride': state.instanceOverrides.push(model.value); break;
        case 'NetworkOverride': state.networkOverrides.push(model.value); break;
        case 'Resolution': state.resolutions.push(model.value); break;
        case 'Simulation': simulations.push(model.value); break;
      }
    }
  }

  if (projects.length > 0) state.project = projects[0]!;
  for (const extra of projects.slice(1)) {
    const first = projects[0]!.meta!.origin;
    problems.push({ ...extra.meta!.origin, code: 'duplicate-project', severity: 'error', message: `a repository has one Project document; another is at ${first.file}:${first.line}` });
  }
  if (simulations.length > 0) state.simulation = simulations[0]!;
  for (const extra of simulations.slice(1)) {
    const first = simulations[0]!.meta.origin;
    problems.push({ ...extra.meta.origin, code: 'duplicate-simulation', severity: 'error', message: `a repository has one Simulation document; another is at ${first.file}:${first.line}` });
  }
  append(problems, checkReferences(state, invalidNames));
  const referenced = await checkFileReferences(state, files, { sizes, nonRegular: new Map(nonRegular.map((entry) => [entry.path, entry.type])) }, options.hooks ?? {});
  append(problems, referenced.problems);
  const inventoriesComplete = state.sources.every((source) => source.inventory_file === null || referenced.inventories.has(source.meta.name));
  append(problems, checkSimulation(state, referenced.inventories, inventoriesComplete, invalidNames));
  return { state, problems: sortProblems(problems), documents, notRead, flawed };
}

/** An apiVersion line naming Ferry's group, for files too broken to yield any document. */
const FERRY_API_LINE = /^[ \t]*["']?apiVersion["']?[ \t]*:[ \t]*["']?ferry\.dev\//m;

/**
 * Whether Ferry reads this file: it lies in one of Ferry's places, or one of its documents
 * claims a Ferry format — an apiVersion in `ferry.dev/`, or (without an apiVersion) one of
 * Ferry's kinds or a migration-manager batch. Other YAML (mkdocs.yml, CI files, Kubernetes
 * manifests) is not Ferry's, and its own YAML errors are not reported.
 */
function claimedByFerry(path: string, text: string, parsed: ParsedFile): boolean {
  if (FERRY_PLACES.test(path)) return true;
  for (const document of parsed.documents) if (claims(document.data)) return true;
  return parsed.problems.length > 0 && FERRY_API_LINE.test(text);
}

function claims(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const record = data as Record<string, unknown>;
  if (typeof record.apiVersion === 'string') return record.apiVersion.startsWith('ferry.dev/') || detectFormat(record).kind === 'legacy';
  if (record.apiVersion !== undefined) return false;
  return isKind(record.kind) || detectFormat(record).kind === 'legacy';
}

/** Whether Ferry reads this YAML file as desired state (see claimedByFerry). */
export function isFerryFile(path: string, text: string): boolean {
  return claimedByFerry(path, text, parseYamlFile(path, text));
}

/** The repository's `.ferryignore`, or a matcher that ignores nothing; its problems go to `problems`. */
export async function readIgnoreFile(files: RepoFiles, problems: Problem[]): Promise<IgnoreMatcher> {
  let text: string | undefined;
  try {
    text = await files.read(IGNORE_FILE, MAX_IGNORE_BYTES);
  } catch (error) {
    if (!(error instanceof FileTooLargeError)) throw error;
    problems.push({ file: IGNORE_FILE, line: 1, column: 1, code: 'ferryignore-too-large', severity: 'error', message: `the file is larger than ${MAX_IGNORE_BYTES / 1024} KiB; it was not read, so every YAML file was` });
    return new IgnoreMatcher([]);
  }
  if (text === undefined) return new IgnoreMatcher([]);
  const parsed = parseIgnore(text);
  if (parsed.dropped > 0) {
    problems.push({ file: IGNORE_FILE, line: parsed.firstDroppedLine ?? 1, column: 1, code: 'ferryignore-too-large', severity: 'error', message: `the file holds more than ${MAX_IGNORE_PATTERNS.toLocaleString('en-US')} patterns; this line and those after it were not read` });
  }
  return new IgnoreMatcher(parsed.patterns);
}

/** `push(...more)` without spreading: a spread of a few hundred thousand problems overflows the stack. */
function append(problems: Problem[], more: readonly Problem[]): void {
  for (const problem of more) problems.push(problem);
}

interface DocumentHeader {
  kind: Kind;
  name: string;
  line: number;
  apiVersion: string;
  /**
   * What the kind reader may read: the document, or — when the schema found problems — the document
   * without its invalid parts, so the semantic checks still report everything else in one run.
   * Undefined when not even that validates.
   */
  data: unknown;
}

function brokenHeader(data: unknown): { kind: Kind; name: string } | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { kind, metadata } = data as { kind?: unknown; metadata?: { name?: unknown } };
  return isKind(kind) && typeof metadata?.name === 'string' ? { kind, name: metadata.name } : undefined;
}

/** Recognises the document's format and kind, upgrades older formats, and validates the schema. */
function readDocument(parsed: ParsedDocument, problems: Problem[]): DocumentHeader | undefined {
  const at = (path: DataPath, prefer: 'key' | 'value' = 'value') => originOf(parsed, path, prefer);
  if (!isMap(parsed.document.contents) || parsed.data === null || typeof parsed.data !== 'object' || Array.isArray(parsed.data)) {
    problems.push({ ...at([]), code: 'not-a-document', severity: 'error', message: 'a Ferry document is a mapping with apiVersion, kind, metadata and spec' });
    return undefined;
  }
  let data = parsed.data as Record<string, unknown>;
  const format = detectFormat(data);
  let apiVersion = CURRENT_API_VERSION;
  if (format.kind === 'unknown') {
    problems.push({ ...at([]), code: 'missing-api-version', severity: 'error', message: `the document has no apiVersion; Ferry documents start with apiVersion: ${CURRENT_API_VERSION}` });
    if (!isKind(data.kind)) return undefined;
    // Check the rest as if it were current, so every other problem shows up in this run too.
    data = { apiVersion: CURRENT_API_VERSION, ...data };
  }
  if (format.kind === 'unsupported') {
    const newer = format.apiVersion.startsWith('ferry.dev/');
    problems.push({
      ...at(['apiVersion']),
      code: 'unsupported-version',
      severity: 'error',
      message: newer
        ? `apiVersion ${excerpt(format.apiVersion)} is not one this Ferry reads (it reads ${CURRENT_API_VERSION}); if it is newer, upgrade Ferry`
        : `apiVersion ${excerpt(format.apiVersion)} is not a Ferry format; use ${CURRENT_API_VERSION}`,
    });
    return undefined;
  }
  if (format.kind === 'legacy') {
    apiVersion = format.chain[0]!.id;
    const notes = upgradeDocument(parsed.document, format.chain);
    data = parsed.document.toJS() as Record<string, unknown>;
    parsed.data = data;
    problems.push({
      ...at([]),
      code: 'legacy-format',
      severity: 'warning',
      message: `this is a ${apiVersion} document; it was read as ${CURRENT_API_VERSION} (run "ferry convert" to rewrite it)${notes.length ? `: ${notes.join('; ')}` : ''}`,
    });
  }
  if (!isKind(data.kind)) {
    const hint = typeof data.kind === 'string' ? didYouMean(data.kind, KINDS) : '';
    problems.push({
      ...at(data.kind === undefined ? [] : ['kind']),
      code: 'unknown-kind',
      severity: 'error',
      message: data.kind === undefined
        ? `the document has no kind; it must be one of ${KINDS.join(', ')}`
        : `unknown kind ${quotedValue(data.kind)}; it must be one of ${KINDS.join(', ')}${hint}`,
    });
    return undefined;
  }
  const kind = data.kind;
  const metadata = data.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : '';
  const secretPaths = literalSecrets(parsed, kind, problems);
  const validate = kindValidator(kind);
  let readable: unknown = data;
  if (!validate(data)) {
    const errors = [...(validate.errors ?? [])];
    const isSecret = (path: DataPath) => secretPaths.some((secret) => secret.join('/') === path.join('/'));
    append(problems, schemaProblems(parsed, errors, (path) => isSecret(path)));
    readable = withoutInvalidParts(data, errors.map((error) => splitInstancePath(error.instancePath)), errors);
    if (readable !== undefined && !validate(readable)) readable = undefined;
  } else if (secretPaths.length > 0) {
    readable = withoutInvalidParts(data, secretPaths, []);
  }
  const line = originOf(parsed, ['kind'], 'key').line;
  return { kind, name, line, apiVersion, data: readable };
}

/**
 * A copy of the document without the values the schema refused (and without unknown fields).
 * A bad list item takes its whole list with it, so the indexes the readers report stay true.
 */
function withoutInvalidParts(data: Record<string, unknown>, paths: DataPath[], errors: SchemaError[]): Record<string, unknown> | undefined {
  const copy = structuredClone(data);
  const prune = (path: DataPath) => {
    let cut = [...path];
    while (cut.length > 0 && typeof cut[cut.length - 1] === 'number') cut = cut.slice(0, -1);
    while (cut.slice(0, -1).some((segment) => typeof segment === 'number')) {
      const firstIndex = cut.findIndex((segment) => typeof segment === 'number');
      cut = cut.slice(0, firstIndex);
    }
    if (cut.length <= 1 && ['apiVersion', 'kind', 'metadata', 'spec'].includes(String(cut[0]))) return false;
    let parent: unknown = copy;
    for (const segment of cut.slice(0, -1)) parent = (parent as Record<string, unknown> | undefined)?.[segment as string];
    if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[cut[cut.length - 1] as string];
    return true;
  };
  for (const [i, path] of paths.entries()) {
    const error = errors[i];
    const full = error?.keyword === 'additionalProperties' ? [...path, String(error.params.additionalProperty)] : path;
    if (error?.keyword === 'required') {
      if (!prune(full)) return undefined;
      continue;
    }
    if (!prune(full)) return undefined;
  }
  return copy;
}

/** A secret's value written into a document is refused with its own code, and never echoed. */
function literalSecrets(parsed: ParsedDocument, kind: Kind, problems: Problem[]): DataPath[] {
  if (kind !== 'Source' && kind !== 'Target' && kind !== 'Project') return [];
  const found: DataPath[] = [];
  const walk = (value: unknown, path: DataPath) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const reference = LITERAL_SECRET_KEYS[key];
      if (reference !== undefined && (typeof child === 'string' || typeof child === 'number')) {
        found.push([...path, key]);
        problems.push({
          ...originOf(parsed, [...path, key], 'key'),
          code: 'literal-secret',
          severity: 'error',
          message: `"${key}" holds a secret in the repository; secrets never live in Git: use ${reference} with {env: NAME} or {file: PATH}`,
        });
      } else {
        walk(child, [...path, key]);
      }
    }
  };
  walk((parsed.data as Record<string, unknown>).spec, ['spec']);
  return found;
}

type KindModel =
  | { kind: 'Project'; value: Project }
  | { kind: 'Source'; value: Source }
  | { kind: 'Target'; value: Target }
  | { kind: 'Batch'; value: Batch }
  | { kind: 'InstanceOverride'; value: InstanceOverride }
  | { kind: 'NetworkOverride'; value: NetworkOverride }
  | { kind: 'Resolution'; value: Resolution }
  | { kind: 'Simulation'; value: Simulation };

function readKind(ctx: DocumentContext, kind: Kind, data: unknown): KindModel {
  switch (kind) {
    case 'Project': return { kind, value: readProject(ctx, data as ProjectDocument) };
    case 'Source': return { kind, value: readSource(ctx, data as SourceDocument) };
    case 'Target': return { kind, value: readTarget(ctx, data as TargetDocument) };
    case 'Batch': return { kind, value: readBatch(ctx, data as BatchDocument) };
    case 'InstanceOverride': return { kind, value: readInstanceOverride(ctx, data as InstanceOverrideDocument) };
    case 'NetworkOverride': return { kind, value: readNetworkOverride(ctx, data as NetworkOverrideDocument) };
    case 'Resolution': return { kind, value: readResolution(ctx, data as ResolutionDocument) };
    case 'Simulation': return { kind, value: readSimulation(ctx, data as SimulationDocument) };
  }
}

