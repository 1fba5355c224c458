/**
 * The static types of the checker. `any` is "not known until run time" and is checked then. A
 * `nullable` type may also be nil at run time (the element `first()` finds in an empty list): the
 * checker types it as migration-manager's does, and the compiler treats it as `any`.
 */
export type ExprType = (
  | { readonly kind: 'any' }
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool' }
  | IntType
  | { readonly kind: 'float' }
  | StringType
  | ListType
  | MapType
  | ObjectType
  | TimeType
  | { readonly kind: 'duration' }
  | { readonly kind: 'month' }
  | { readonly kind: 'weekday' }
  | { readonly kind: 'location' }
) & { readonly nullable?: true };

/**
 * An int. `int64` is set for the instance's int64 fields (cpus, memory, a disk's capacity), which
 * expr-lang compares with `==` through reflection, while two plain ints it compares directly —
 * which fails when one of them turns out to be nil (see fold.ts).
 */
export interface IntType {
  readonly kind: 'int';
  readonly int64?: true;
}

/**
 * A string. `named` is set for the fields migration-manager declares with a type of their own,
 * which its checker does not mix with strings: os_type (api.OSType), distribution (api.Distro),
 * and a NIC's uuid (a uuid.UUID, an array of 16 bytes there).
 */
export interface StringType {
  readonly kind: 'string';
  readonly named?: NamedString;
}

export type NamedString = 'api.OSType' | 'api.Distro' | 'uuid.UUID';

/** A time.Time. `field` is set for `last_update_from_source`, which also reads as the text it was read from. */
export interface TimeType {
  readonly kind: 'time';
  readonly field?: true;
}

export interface ListType {
  readonly kind: 'list';
  readonly element: ExprType;
  /**
   * Set when Go's own type of the list says what its elements are (the instance's NIC, disk and
   * snapshot lists, split's []string): the functions expr-lang types by the Go type of their
   * argument (first, last, take) know the element then, and not for the []any lists
   * expressions build.
   */
  readonly typed?: true;
}

/**
 * A map. `config` is map[string]string (a missing key reads as ''); the maps expressions build
 * (literals, groupBy, fromPairs) hold any values (a missing key reads as nil).
 */
export interface MapType {
  readonly kind: 'map';
  readonly key: ExprType;
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
export const INT64: IntType = { kind: 'int', int64: true };
export const FLOAT = { kind: 'float' } as const;
export const STRING = { kind: 'string' } as const;
export const TIME = { kind: 'time' } as const;
export const DURATION = { kind: 'duration' } as const;
export const MONTH = { kind: 'month' } as const;
export const WEEKDAY = { kind: 'weekday' } as const;
export const LOCATION = { kind: 'location' } as const;

export const listOf = <T extends ExprType>(element: T): { readonly kind: 'list'; readonly element: T } => ({ kind: 'list', element });
/** A list whose Go type names its elements ([]string, []InstancePropertiesDisk). */
export const typedListOf = (element: ExprType): ListType => ({ kind: 'list', element, typed: true });
export const mapOf = (key: ExprType, value: ExprType): MapType => ({ kind: 'map', key, value });
/** Go's map[string]any: a map literal. */
export const ANY_MAP = mapOf(STRING, ANY);
export const named = (name: NamedString): StringType => ({ kind: 'string', named: name });

/** Go-like names, as expr-lang's messages use: `int`, `[]string`, `map[string]string`, `disk`. */
export function typeName(type: ExprType): string {
  switch (type.kind) {
    case 'list':
      return `[]${typeName(type.element)}`;
    case 'map':
      return `map[${typeName(type.key)}]${typeName(type.value)}`;
    case 'object':
      return type.name;
    case 'string':
      return type.named ?? 'string';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'month':
      return 'time.Month';
    case 'weekday':
      return 'time.Weekday';
    case 'location':
      return '*time.Location';
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
  switch (a.kind) {
    case 'list':
      return sameType(a.element, (b as ListType).element);
    case 'map':
      return sameType(a.key, (b as MapType).key) && sameType(a.value, (b as MapType).value);
    case 'object':
      return a.name === (b as ObjectType).name;
    case 'string':
      return a.named === (b as StringType).named;
    case 'time':
      return a.field === (b as TimeType).field;
    default:
      return true;
  }
}

/** The type without the marks that only matter to migration-manager's checker (named strings, the time field). */
export function plain(type: ExprType): ExprType {
  if (type.kind === 'string' && type.named) return STRING;
  if (type.kind === 'time' && type.field) return TIME;
  if (type.kind === 'int' && type.int64) return INT;
  if (type.kind === 'list') {
    const element = plain(type.element);
    return element === type.element ? type : { ...type, element };
  }
  return type;
}

export const isNumber = (type: ExprType): boolean => type.kind === 'int' || type.kind === 'float';
export const isAny = (type: ExprType): boolean => type.kind === 'any';
/** A string, or the time field read as its text. */
export const isStringLike = (type: ExprType): boolean => type.kind === 'string' || (type.kind === 'time' && type.field === true);
