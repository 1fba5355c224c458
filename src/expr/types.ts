/** The static types of the checker. `any` is "not known until run time" and is checked then. */
export type ExprType =
  | { readonly kind: 'any' }
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int' }
  | { readonly kind: 'float' }
  | { readonly kind: 'string' }
  | ListType
  | MapType
  | ObjectType;

export interface ListType {
  readonly kind: 'list';
  readonly element: ExprType;
}

/** A map with string keys, like `config` (Go's map[string]string). */
export interface MapType {
  readonly kind: 'map';
  readonly value: ExprType;
}

/** A struct with a fixed set of fields, like an instance, a disk or a NIC. */
export interface ObjectType {
  readonly kind: 'object';
  readonly name: string;
  readonly fields: Readonly<Record<string, ExprType>>;
}

export const ANY = { kind: 'any' } as const;
export const NIL = { kind: 'nil' } as const;
export const BOOL = { kind: 'bool' } as const;
export const INT = { kind: 'int' } as const;
export const FLOAT = { kind: 'float' } as const;
export const STRING = { kind: 'string' } as const;

export const listOf = <T extends ExprType>(element: T): { readonly kind: 'list'; readonly element: T } => ({ kind: 'list', element });
export const mapOf = <T extends ExprType>(value: T): { readonly kind: 'map'; readonly value: T } => ({ kind: 'map', value });

/** Go-like names, as expr-lang's messages use: `int`, `[]string`, `map[string]string`, `disk`. */
export function typeName(type: ExprType): string {
  switch (type.kind) {
    case 'list':
      return `[]${typeName(type.element)}`;
    case 'map':
      return `map[string]${typeName(type.value)}`;
    case 'object':
      return type.name;
    default:
      return type.kind;
  }
}

/** `an int`, `a []disk`: the type name with its article, for sentences. */
export function article(type: ExprType): string {
  const name = typeName(type);
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

export function sameType(a: ExprType, b: ExprType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list') return sameType(a.element, (b as ListType).element);
  if (a.kind === 'map') return sameType(a.value, (b as MapType).value);
  if (a.kind === 'object') return a.name === (b as ObjectType).name;
  return true;
}

export const isNumber = (type: ExprType): boolean => type.kind === 'int' || type.kind === 'float';
export const isAny = (type: ExprType): boolean => type.kind === 'any';
