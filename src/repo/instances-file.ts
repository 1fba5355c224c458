import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS } from '../model/generated/schemas.js';
import { normalizeInstance, type InstanceDocument, type InstanceRecord } from '../model/instance.js';

// Reads a JSON array of instances in migration-manager's instance JSON shape (what
// `migration-manager instance list -f json` prints), for `ferry query --instances`. Fields the
// schema does not know are dropped, so exports from newer migration-manager versions still load.

export type InstancesFileResult =
  | { ok: true; instances: InstanceRecord[] }
  | {
      ok: false;
      /** One line for the command line: the file, where in it, and what is wrong. */
      message: string;
      /** What is wrong, without the file name (set when the text was read). */
      reason?: string;
      /** Where: a character offset (JSON syntax) or a data path into the array (schema). */
      offset?: number;
      path?: (string | number)[];
    };

let validator: ValidateFunction | undefined;

function instanceValidator(): ValidateFunction {
  if (!validator) {
    // `true`, not 'all': 'all' would also empty `config`, whose keys are additional properties too.
    validator = new Ajv2020({ strict: true, removeAdditional: true }).compile(SCHEMAS['instance.schema.json']);
  }
  return validator;
}

/** Reads and validates the file; a problem is one line naming the file and the JSON path. */
export async function readInstancesFile(path: string, displayName = path): Promise<InstancesFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: `${displayName}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}` };
  }
  return parseInstances(text, displayName);
}

/** Parses and validates the text of an instances file. */
export function parseInstances(text: string, displayName: string): InstancesFileResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = describeJsonError(text, (error as Error).message);
    const offset = /at position (\d+)/.exec((error as Error).message);
    return { ok: false, message: `${displayName}: not valid JSON: ${reason}`, reason: `not valid JSON: ${reason.replace(/ at line \d+, column \d+$/, '')}`, ...(offset ? { offset: Number(offset[1]) } : { path: [] }) };
  }
  if (!Array.isArray(data)) {
    const reason = `expected a JSON array of instances, found ${data === null ? 'null' : typeof data}`;
    return { ok: false, message: `${displayName}: $: ${reason}`, reason, path: [] };
  }
  const validate = instanceValidator();
  const instances: InstanceRecord[] = [];
  for (const [index, item] of data.entries()) {
    if (!validate(item)) {
      const error = validate.errors![0]!;
      const reason = `${jsonPath(index, error)}: ${describeSchemaError(error)}`;
      return { ok: false, message: `${displayName}: ${reason}`, reason, path: [index, ...pointerSegments(error.instancePath)] };
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
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function describeSchemaError(error: ErrorObject): string {
  if (error.keyword === 'required') return `the required field "${(error.params as { missingProperty: string }).missingProperty}" is missing`;
  return error.message ?? 'is not valid';
}

function describeJsonError(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
