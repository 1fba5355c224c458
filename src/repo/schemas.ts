import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

export const KIND_SCHEMA_FILES = {
  Project: 'project.schema.json',
  Source: 'source.schema.json',
  Target: 'target.schema.json',
  Batch: 'batch.schema.json',
  InstanceOverride: 'instance-override.schema.json',
  NetworkOverride: 'network-override.schema.json',
  Resolution: 'resolution.schema.json',
  Simulation: 'simulation.schema.json',
} as const;

export type Kind = keyof typeof KIND_SCHEMA_FILES;
export const KINDS = Object.keys(KIND_SCHEMA_FILES) as Kind[];

export function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && Object.hasOwn(KIND_SCHEMA_FILES, value);
}

function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}

let validators: Map<Kind, ValidateFunction> | undefined;

/** One compiled validator per kind, built once per process from the files in schemas/. */
export function kindValidator(kind: Kind): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-error-code', schemaType: 'string' });
    ajv.addSchema(readSchema('common.schema.json'));
    validators = new Map();
    for (const name of KINDS) validators.set(name, ajv.compile(readSchema(KIND_SCHEMA_FILES[name])));
  }
  return validators.get(kind)!;
}

export type SchemaError = ErrorObject;
