import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS } from '../model/generated/schemas.js';
import type { Origin } from '../model/desired.js';
import { normalizeInstance, type InstanceDocument, type InstanceRecord } from '../model/instance.js';
import type { Problem } from '../model/problem.js';
import { excerpt, quotedValue } from '../text/excerpt.js';
import { jsonOrigin, originAt, syntaxErrorOffset } from './json-locate.js';

// Reads a JSON array of instances in migration-manager's instance JSON shape (what
// `migration-manager instance list -f json` prints): a sim Source's inventory_file, and the file of
// `ferry query --instances` and `ferry placement --instances`. What is wrong is one problem at its
// line and column. Fields the schema does not know are dropped, so exports from newer
// migration-manager versions still load.

export type InstancesFileResult =
  | { ok: true; instances: InstanceRecord[] }
  /** What is wrong (`invalid-inventory`), at its line and column in the file. */
  | { ok: false; problem: Problem };

let validator: ValidateFunction | undefined;

function instanceValidator(): ValidateFunction {
  if (!validator) {
    // `true`, not 'all': 'all' would also empty `config`, whose keys are additional properties too.
    validator = new Ajv2020({ strict: true, removeAdditional: true }).compile(SCHEMAS['instance.schema.json']);
  }
  return validator;
}

/** Parses and validates the text of an instances file; `file` names it in the problem. */
export function parseInstances(text: string, file: string): InstancesFileResult {
  const invalid = (at: Origin, message: string): InstancesFileResult => ({ ok: false, problem: { ...at, code: 'invalid-inventory', severity: 'error', message } });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the offset of most syntax errors, not all; the scan finds every one.
    const named = /at position (\d+)/.exec(message);
    const offset = syntaxErrorOffset(text) ?? (named ? Number(named[1]) : 0);
    // Without the place V8 gives in words (the problem has it), or the text around it V8 quotes.
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
    return invalid(originAt(file, text, offset), `not valid JSON: ${reason}`);
  }
  if (!Array.isArray(data)) return invalid(jsonOrigin(file, text, []), `expected a JSON array of instances, found ${data === null ? 'null' : typeof data === 'object' ? 'an object' : `a ${typeof data}`}`);
  const validate = instanceValidator();
  const instances: InstanceRecord[] = [];
  for (const [index, item] of data.entries()) {
    if (!validate(item)) {
      const error = validate.errors![0]!;
      return invalid(jsonOrigin(file, text, [index, ...pointerSegments(error.instancePath)]), `${jsonPath(index, error)}: ${describeSchemaError(error)}`);
    }
    instances.push(normalizeInstance(item as InstanceDocument));
  }
  return { ok: true, instances };
}

function pointerSegments(pointer: string): (string | number)[] {
  return pointer.split('/').slice(1).map((raw) => {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    return /^\d+$/.test(segment) ? Number(segment) : segment;
  });
}

/** `$[3].disks[0].capacity` for the item at `index` and ajv's JSON-pointer instance path. */
function jsonPath(index: number, error: ErrorObject): string {
  let path = `$[${index}]`;
  for (const raw of error.instancePath.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += `.${excerpt(segment)}`;
    else path += `[${quotedValue(segment)}]`;
  }
  return path;
}

function describeSchemaError(error: ErrorObject): string {
  if (error.keyword === 'required') return `the required field "${(error.params as { missingProperty: string }).missingProperty}" is missing`;
  return error.message ?? 'is not valid';
}
