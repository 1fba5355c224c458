import type { Problem } from '../model/problem.js';
import { originOf, type DataPath } from './locate.js';
import type { SchemaError } from './schemas.js';
import { excerpt, quoted, quotedValue } from '../text/excerpt.js';
import { didYouMean } from '../text/suggest.js';
import type { ParsedDocument } from './yaml-file.js';

/** `spec.migration_windows[0].name` for an ajv instance path; a long key shortened (text/excerpt.ts). */
export function displayPath(path: DataPath): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${excerpt(segment)}` : excerpt(segment);
  return out || 'the document';
}

export function splitInstancePath(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return 'a string';
}

/**
 * Turns ajv's errors into positioned problems an operator can act on: one problem per place,
 * the most specific reason, and a "did you mean" for unknown fields and enum values.
 * `skip` drops errors an earlier, more precise check already reported (e.g. literal secrets).
 */
export function schemaProblems(
  parsed: ParsedDocument,
  errors: readonly SchemaError[],
  skip: (path: DataPath, error: SchemaError) => boolean = () => false,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // Errors inside the branches of an anyOf that carries its own code are summarised by that anyOf.
  const coded = new Set(
    errors
      .filter((e) => e.keyword === 'anyOf' && typeof e.parentSchema?.['x-error-code'] === 'string')
      .map((e) => e.instancePath),
  );
  // A control character is the most specific reason a name is refused: only it is reported.
  const controlled = new Set(errors.filter(isControlCharacterError).map((e) => e.instancePath));
  for (const error of errors) {
    if (coded.has(error.instancePath) && error.keyword !== 'anyOf') continue;
    if (controlled.has(error.instancePath) && !isControlCharacterError(error)) continue;
    if (error.keyword === 'if') continue;
    // A map key's own error (its pattern, at the key) says it better than "property name must be valid".
    if (error.keyword === 'propertyNames') continue;
    const path = splitInstancePath(error.instancePath);
    const problem = toProblem(parsed, path, error);
    if (!problem) continue;
    const fieldPath = error.keyword === 'additionalProperties' ? [...path, problem.field] : path;
    if (skip(fieldPath, error)) continue;
    const key = `${problem.origin.line}:${problem.origin.column}:${problem.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ ...problem.origin, code: problem.code, severity: 'error', message: problem.message });
  }
  return problems;
}

function isControlCharacterError(error: SchemaError): boolean {
  return error.parentSchema?.['x-error-code'] === 'control-character';
}

function toProblem(parsed: ParsedDocument, path: DataPath, error: SchemaError) {
  const where = displayPath(path);
  const parent = error.parentSchema ?? {};
  const customCode = typeof parent['x-error-code'] === 'string' ? (parent['x-error-code'] as string) : undefined;
  const description = typeof parent.description === 'string' ? (parent.description as string) : undefined;
  const at = (prefer: 'key' | 'value', p: DataPath = path) => originOf(parsed, p, prefer);
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      const known = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {});
      return {
        origin: at('key', [...path, field]),
        field,
        code: 'unknown-field',
        message: `unknown field ${quoted(field)} in ${where}${didYouMean(field, known)}`,
      };
    }
    case 'required': {
      const field = String(error.params.missingProperty);
      return { origin: at('key'), field, code: 'missing-field', message: `${where} needs "${field}"` };
    }
    case 'type': {
      const wanted = String(error.params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ');
      return {
        origin: at('value'),
        field: '',
        code: 'wrong-type',
        message: `${where} must be ${wanted}, not ${describeValue(error.data)}`,
      };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      return {
        origin: at('value'),
        field: '',
        code: 'invalid-value',
        message: `${where} must be one of ${allowed.join(', ')}, not ${quotedValue(error.data)}${hint}`,
      };
    }
    case 'const':
      return {
        origin: at('value'),
        field: '',
        code: 'invalid-value',
        message: `${where} must be ${quotedValue(error.params.allowedValue)}, not ${quotedValue(error.data)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        origin: at('value'),
        field: '',
        code: 'out-of-range',
        message: `${where} must be ${error.keyword.includes('inimum') ? 'at least' : 'at most'} ${String(error.params.limit)}, not ${String(error.data)}`,
      };
    case 'minLength':
      return error.params.limit === 1
        ? { origin: at('value'), field: '', code: 'empty-value', message: `${where} must not be empty` }
        : { origin: at('value'), field: '', code: 'invalid-value', message: `${where} must have at least ${String(error.params.limit)} characters` };
    case 'maxLength':
      return {
        origin: at('value'),
        field: '',
        code: customCode ?? 'too-long',
        message: `${where} is longer than ${String(error.params.limit)} characters`,
      };
    case 'minProperties':
    case 'maxProperties':
      return {
        origin: at(error.keyword === 'minProperties' ? 'key' : 'value'),
        field: '',
        code: 'invalid-secret-ref',
        message: `${where} must give exactly one of "env" (an environment variable) or "file" (a path on the machine running Ferry)`,
      };
    case 'pattern':
    case 'anyOf':
      return {
        origin: at('value'),
        field: '',
        code: customCode ?? 'invalid-value',
        message: `${where} ${quotedValue(error.data)} is not valid${description ? `: ${lowerFirst(description)}` : ''}`,
      };
    case 'minItems':
    case 'maxItems':
    case 'uniqueItems':
      return { origin: at('value'), field: '', code: 'invalid-value', message: `${where} ${error.message ?? 'is not valid'}` };
    default:
      return { origin: at('value'), field: '', code: 'invalid-value', message: `${where} ${error.message ?? 'is not valid'}` };
  }
}

function lowerFirst(text: string): string {
  const sentence = text.replace(/\.$/, '');
  return /^[A-Z]([a-z]| )/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
}
