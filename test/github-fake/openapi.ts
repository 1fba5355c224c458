// The contract the fake holds requests and responses to: the operations of openapi-subset.json
// (extracted from GitHub's own OpenAPI description by scripts/github-openapi.ts), compiled with
// ajv. GitHub's schemas never forbid unknown properties; here every object schema that does not
// say otherwise is closed, so a misspelt field in a request (or in one of the fake's own
// responses) is an error instead of being silently ignored.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = { [key: string]: unknown };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

interface MediaType {
  schema?: Schema;
}

interface Response {
  content?: Record<string, MediaType>;
}

interface OperationObject {
  operationId: string;
  externalDocs?: { url: string };
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response | { $ref: string }>;
}

interface Subset {
  'x-ferry-source': { package: string; version: string; file: string; sha256: string; operations: string[] };
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
}

/** One GitHub operation as the fake routes and checks it. */
export interface Operation {
  id: string;
  method: string;
  /** The path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  path: string;
  parameters: Parameter[];
  /** Whether the description defines a JSON request body, and whether it must be sent. */
  body: 'none' | 'optional' | 'required';
  /** GitHub's documentation page, which its error bodies point to. */
  docs: string;
}

const SUBSET_ID = 'https://ferry.invalid/github-openapi-subset.json';
const JSON_MEDIA = 'application/json';
const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);

export const subset = JSON.parse(readFileSync(new URL('./openapi-subset.json', import.meta.url), 'utf8')) as Subset;

function isRef(value: object): value is { $ref: string } {
  return typeof (value as { $ref?: unknown }).$ref === 'string';
}

function component<T>(ref: string): T {
  const [, kind, name] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? [];
  const found = kind && name ? subset.components[kind]?.[name] : undefined;
  if (found === undefined) throw new Error(`openapi-subset.json has no ${ref}`);
  return found as T;
}

function deref<T extends object>(value: T | { $ref: string }): T {
  return isRef(value) ? component<T>(value.$ref) : value;
}

/**
 * Closes object schemas (additionalProperties: false unless the schema decides) and lets a
 * nullable enum hold null: GitHub returns `conclusion: null` for a check run in progress, and its
 * description marks the field nullable without listing null among the values.
 */
function tighten(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Schema = { ...(schema as Schema) };
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Schema).map(([name, child]) => [name, tighten(child)]));
    if (!('additionalProperties' in out)) out.additionalProperties = false;
  }
  if (typeof out.additionalProperties === 'object') out.additionalProperties = tighten(out.additionalProperties);
  if (out.items) out.items = tighten(out.items);
  if (out.not) out.not = tighten(out.not);
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(out[keyword])) out[keyword] = (out[keyword] as unknown[]).map(tighten);
  }
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

function tightenMedia(content: Record<string, MediaType> | undefined): Record<string, MediaType> | undefined {
  if (!content) return content;
  return Object.fromEntries(Object.entries(content).map(([type, media]) => [type, media.schema ? { ...media, schema: tighten(media.schema) as Schema } : media]));
}

/** The subset with every request and response schema tightened, for ajv to resolve pointers into. */
function tightenedSubset(): Schema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(subset.paths)) {
    paths[path] = {};
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const responses = Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) =>
          [status, isRef(response) ? response : { ...response, content: tightenMedia(response.content) }]),
      );
      const requestBody = operation.requestBody && { ...operation.requestBody, content: tightenMedia(operation.requestBody.content) };
      paths[path][method] = { ...operation, requestBody, responses };
    }
  }
  const { schemas = {}, responses = {}, ...rest } = subset.components;
  return {
    $id: SUBSET_ID,
    paths,
    components: {
      ...rest,
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, tighten(schema)])),
      responses: Object.fromEntries(
        Object.entries(responses).map(([name, response]) => [name, { ...(response as Response), content: tightenMedia((response as Response).content) }]),
      ),
    },
  };
}

// ajv-formats is CommonJS; its default export arrives wrapped when imported from ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function newAjv(options: ConstructorParameters<typeof Ajv>[0]): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, ...options });
  addFormats(ajv);
  // A format of GitHub's own ("owner/name"), used by pulls/create's head_repo.
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  return ajv;
}

const bodyAjv = newAjv({});
bodyAjv.addSchema(tightenedSubset());
// Parameters arrive as strings; this instance converts them to the declared types and fills in defaults.
const parameterAjv = newAjv({ coerceTypes: true, useDefaults: true });

function pointer(...parts: string[]): string {
  return `${SUBSET_ID}#${parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}

export const OPERATIONS: Operation[] = Object.entries(subset.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.has(method))
    .map(([method, operation]) => {
      const parameters = (operation.parameters ?? []).map((parameter) => deref<Parameter>(parameter));
      const media = operation.requestBody?.content[JSON_MEDIA];
      const body = !media ? 'none' : operation.requestBody?.required ? 'required' : 'optional';
      const docs = operation.externalDocs?.url ?? 'https://docs.github.com/rest';
      return { id: operation.operationId, method: method.toUpperCase(), path, parameters, body, docs } satisfies Operation;
    }),
);

/** ajv's errors as sentences; `place` names where an instance path is (the body, a parameter). */
function describe(errors: ErrorObject[] | null | undefined, place: (instancePath: string) => string): string[] {
  const lines = (errors ?? []).map((error) => {
    if (error.keyword === 'additionalProperties') {
      return `${place(`${error.instancePath}/${String(error.params.additionalProperty)}`)} is not in the schema`;
    }
    if (error.keyword === 'enum') {
      return `${place(error.instancePath)} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    }
    return `${place(error.instancePath)} ${error.message ?? error.keyword}`;
  });
  return [...new Set(lines)];
}

const inBody = (instancePath: string): string => `body${instancePath}`;
const inResponse = (instancePath: string): string => `response${instancePath}`;
const asParameter = (instancePath: string): string => (instancePath ? `parameter ${instancePath.slice(1)}` : 'parameters');

const compiled = new Map<string, ValidateFunction>();

function cached(key: string, build: () => ValidateFunction): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = build();
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Checks path and query parameters, converting them to their declared types (and adding
 * defaults) in place. Query parameters the operation does not define are problems too.
 */
export function checkParameters(operation: Operation, values: Record<string, unknown>): string[] {
  const validate = cached(`${operation.id} parameters`, () => {
    const own = operation.parameters.filter((parameter) => parameter.in === 'path' || parameter.in === 'query');
    return parameterAjv.compile({
      type: 'object',
      properties: Object.fromEntries(own.map((parameter) => [parameter.name, parameter.schema])),
      required: own.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      additionalProperties: false,
    });
  });
  return validate(values) ? [] : describe(validate.errors, asParameter);
}

export function checkRequestBody(operation: Operation, body: unknown): string[] {
  if (body === undefined) return operation.body === 'required' ? ['the request has no body; this operation requires one'] : [];
  if (operation.body === 'none') return ['the request has a body; this operation takes none'];
  const validate = cached(`${operation.id} request`, () =>
    bodyAjv.compile({ $ref: pointer('paths', operation.path, operation.method.toLowerCase(), 'requestBody', 'content', JSON_MEDIA, 'schema') }));
  return validate(body) ? [] : describe(validate.errors, inBody);
}

function declaredResponse(operation: Operation, status: number): Response | { $ref: string } | undefined {
  return subset.paths[operation.path]![operation.method.toLowerCase()]!.responses[String(status)];
}

function responseSchemaPointer(operation: Operation, status: number): string | undefined {
  const declared = declaredResponse(operation, status);
  if (declared && isRef(declared) && component<Response>(declared.$ref).content?.[JSON_MEDIA]) {
    return pointer('components', 'responses', declared.$ref.split('/').pop()!, 'content', JSON_MEDIA, 'schema');
  }
  if (declared && !isRef(declared) && declared.content?.[JSON_MEDIA]) {
    return pointer('paths', operation.path, operation.method.toLowerCase(), 'responses', String(status), 'content', JSON_MEDIA, 'schema');
  }
  // GitHub sends an error body with every error, also those the description lists without a
  // body or does not list for the operation (a 404 for a check run that does not exist): its
  // validation-error shape with a 422, its basic-error shape otherwise.
  if (status === 422) return pointer('components', 'schemas', 'validation-error');
  return status >= 400 ? pointer('components', 'schemas', 'basic-error') : undefined;
}

/** Checks a response the fake is about to send against the schema of its status. */
export function checkResponse(operation: Operation, status: number, body: unknown): string[] {
  if (!declaredResponse(operation, status) && status < 400) return [`status ${status} is not a response the description lists`];
  const schema = responseSchemaPointer(operation, status);
  if (!schema) return body === undefined ? [] : [`status ${status} has no body in the description, but one was sent`];
  if (body === undefined) return [`status ${status} must have a body`];
  const validate = cached(schema, () => bodyAjv.compile({ $ref: schema }));
  return validate(body) ? [] : describe(validate.errors, inResponse);
}
