import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS } from '../model/generated/schemas.js';

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

let validators: Map<Kind, ValidateFunction> | undefined;

/** One compiled validator per kind, built once per process from the schemas of schemas/. */
export function kindValidator(kind: Kind): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-error-code', schemaType: 'string' });
    ajv.addSchema(SCHEMAS['common.schema.json']);
    validators = new Map();
    for (const name of KINDS) validators.set(name, ajv.compile(SCHEMAS[KIND_SCHEMA_FILES[name]]));
  }
  return validators.get(kind)!;
}

export type SchemaError = ErrorObject;
