import { children, type CallNode, type ExprNode } from './ast.js';
import type { Span } from './errors.js';
import type { ExprType, NamedString } from './types.js';

// Where migration-manager's checker and Ferry's part ways. migration-manager declares three
// instance fields with types of their own — os_type (api.OSType) and distribution (api.Distro),
// named string types, and a NIC's uuid, a uuid.UUID (16 bytes) — and last_update_from_source as a
// time.Time; expr-lang does not mix those with strings. Ferry reads them as strings (and the time
// also as a time), as it always has, so an expression that migration-manager refuses, or that
// fails there on every instance, still works in Ferry: each such use gets a warning, so a
// campaign can move between the two knowingly. has_tag and matches_tag get a note on every use
// saying what they match (migration-manager's code, not its documentation).

export type ExprWarningCode = 'expr-mm-rejects' | 'expr-mm-differs' | 'expr-tag-semantics';

/** Something about an expression that is not an error in Ferry but that its author should know. */
export interface ExprWarning {
  code: ExprWarningCode;
  message: string;
  offset: number;
  length: number;
}

/** What migration-manager sees where Ferry sees a string: a named string, a uuid, the time field. */
type Foreign = NamedString | 'time.Time';

const FIELD_OF: Readonly<Record<Foreign, string>> = {
  'api.OSType': 'os_type',
  'api.Distro': 'distribution',
  'uuid.UUID': "a NIC's uuid",
  'time.Time': 'last_update_from_source',
};

function foreign(type: ExprType | undefined): Foreign | undefined {
  if (type === undefined) return undefined;
  if (type.kind === 'string') return type.named;
  if (type.kind === 'time' && type.field) return 'time.Time';
  return undefined;
}

const plainString = (type: ExprType | undefined): boolean => type?.kind === 'string' && type.named === undefined;

/** Operators and functions on strings that expr-lang's checker accepts for a named string, but that fail on one at run time. */
const FAILS_AT_RUN_TIME = new Set(['<', '<=', '>', '>=', '+', 'matches', 'contains', 'startsWith', 'endsWith']);
/** migration-manager's untyped functions: they take anything at compile time and insist on a string when run. */
const UNTYPED_FUNCTIONS = new Set(['path_base', 'path_dir', 'has_tag', 'matches_tag']);
/** expr-lang built-ins that take anything, so a named string or a time is fine there. */
const ANY_ARGUMENT_FUNCTIONS = new Set(['string', 'toJSON', 'len', 'first', 'last', 'get', 'concat', 'flatten', 'reverse', 'uniq', 'take', 'type', 'fromPairs', 'int', 'float']);

const TAG_NOTES: Readonly<Record<string, string>> = {
  has_tag: 'has_tag(category, text) is true when one of the comma-separated tags of config["tag.<category>"] contains the text, and with the category "*" when some tag.* value contains it, commas included — what migration-manager does (its documentation describes this as matches_tag); for an exact tag, use matches_tag',
  matches_tag: 'matches_tag(category, tag) is true when one of the comma-separated tags of config["tag.<category>"] is exactly the tag, and with the category "*" when some tag.* value is exactly it, commas included — what migration-manager does (its documentation describes this as has_tag); for a part of a tag, use has_tag',
};

function throughDefault(node: ExprNode): ExprNode {
  return node.kind === 'binary' && node.operator === '??' ? throughDefault(node.left) : node;
}

export function migrationManagerWarnings(root: ExprNode, types: ReadonlyMap<ExprNode, ExprType>): ExprWarning[] {
  const warnings: ExprWarning[] = [];
  const uuidSeen = new Set<string>();
  const warn = (code: ExprWarningCode, message: string, at: Span) => warnings.push({ code, message, offset: at.start, length: Math.max(at.end - at.start, 0) });
  const rejects = (kind: Foreign, what: string, at: Span) =>
    warn('expr-mm-rejects', `migration-manager refuses ${what}: ${FIELD_OF[kind]} is ${kind === 'time.Time' ? 'a time' : kind === 'uuid.UUID' ? 'a uuid.UUID (16 bytes)' : `an ${kind}`} there, not a string, so a batch with this expression cannot be saved in migration-manager (Ferry compares ${kind === 'time.Time' ? 'the text it was read from' : 'its text'})`, at);
  const fails = (kind: Foreign, what: string, at: Span) =>
    warn('expr-mm-rejects', `migration-manager accepts ${what} but fails evaluating it: ${FIELD_OF[kind]} is an ${kind} there, not a string, so a batch with this expression cannot be saved in migration-manager`, at);
  const differs = (message: string, at: Span) => warn('expr-mm-differs', message, at);

  const visit = (node: ExprNode): void => {
    children(node).forEach(visit);
    switch (node.kind) {
      case 'field':
        // A desugaring that uses a node twice (`a < b < c`, `a ?: b`) has expr-lang visit it twice,
        // and its UUID patcher then rewrites uuid twice: "type string has no field String".
        if (node.name === 'uuid') {
          const at = `${node.start}:${node.end}`;
          if (uuidSeen.has(at)) warn('expr-mm-rejects', 'migration-manager refuses this uuid: expr-lang uses this part of the expression twice (a chained comparison like a < b < c, or a ?: b) and its UUID patcher rewrites it twice ("type string has no field String"), so a batch with this expression cannot be saved in migration-manager; write the comparison out (a < b and b < c, a ? a : b)', node);
          uuidSeen.add(at);
        }
        return;
      case 'binary': {
        // `x ?? y` binds tightest in expr-lang and keeps x's value: a named string stays one.
        const left = types.get(throughDefault(node.left));
        const right = types.get(throughDefault(node.right));
        const [kind, other] = foreign(left) ? [foreign(left)!, right] : [foreign(right), left];
        const listed = right?.kind === 'list' ? foreign(right.element) : undefined;
        if (node.operator === 'in' && listed && foreign(left) !== listed && left?.kind !== 'any' && left?.kind !== 'nil') {
          rejects(listed, `looking a string up with "in" in a list of ${FIELD_OF[listed]}`, node.operatorSpan);
          return;
        }
        if (!kind) return;
        const both = foreign(left) !== undefined && foreign(right) !== undefined;
        const what = `"${node.operator}" on ${FIELD_OF[kind]}`;
        if (node.operator === '==' || node.operator === '!=') {
          if (other?.kind === 'nil' || other?.kind === 'any' || (both && foreign(left) === foreign(right))) return;
          rejects(kind, `comparing ${FIELD_OF[kind]} with ${both ? FIELD_OF[foreign(right === left ? left : right) ?? kind] : 'a string'}`, node.operatorSpan);
        } else if (node.operator === 'in') {
          if (right?.kind === 'object' && foreign(left)) {
            rejects(foreign(left)!, `looking ${FIELD_OF[foreign(left)!]} up in a struct with "in"`, node.operatorSpan);
            return;
          }
          if (right?.kind === 'object' || right?.kind === 'any') return;
          if (right?.kind === 'list' && foreign(right.element) === kind && foreign(left) === kind) return;
          rejects(kind, `looking ${FIELD_OF[kind]} up with "in"`, node.operatorSpan);
        } else if (kind === 'time.Time' || kind === 'uuid.UUID') {
          if (kind === 'time.Time' && (left?.kind === 'time' && right?.kind === 'time' || right?.kind === 'duration' || left?.kind === 'duration')) return;
          rejects(kind, what, node.operatorSpan);
        } else if (FAILS_AT_RUN_TIME.has(node.operator)) {
          if (other?.kind === 'nil') return;
          fails(kind, what, node.operatorSpan);
        }
        return;
      }
      case 'index': {
        const key = foreign(types.get(node.index));
        if (key && types.get(node.object)?.kind === 'map') rejects(key, `${FIELD_OF[key]} as a map key`, node.index);
        return;
      }
      case 'call':
        callWarnings(node);
        return;
      case 'predicate': {
        const key = node.name === 'sortBy' && node.body ? foreign(types.get(node.body)) : undefined;
        if (key && key !== 'time.Time') fails(key, `sorting by ${FIELD_OF[key]}`, node.body!);
        return;
      }
      case 'conditional': {
        const consequent = types.get(node.consequent);
        const alternate = types.get(node.alternate);
        const kind = foreign(consequent) ?? foreign(alternate);
        if (kind && foreign(consequent) !== foreign(alternate) && (plainString(consequent) || plainString(alternate) || (foreign(consequent) && foreign(alternate)))) {
          differs(`migration-manager does not treat ${FIELD_OF[kind]} as a string: where this gives ${FIELD_OF[kind]}, comparing or joining it with strings fails or is false there`, node);
        }
        return;
      }
      default:
        return;
    }
  };

  const callWarnings = (node: CallNode): void => {
    const note = TAG_NOTES[node.name];
    if (note) warn('expr-tag-semantics', note, node.nameSpan);
    node.args.forEach((arg) => {
      const kind = foreign(types.get(arg));
      if (!kind) return;
      if (node.name === 'len' && kind === 'uuid.UUID') {
        differs("len() of a NIC's uuid is 16 in migration-manager (its bytes) and the length of its text here", arg);
      } else if (node.name === 'len' && kind === 'time.Time') {
        rejects(kind, 'len() of last_update_from_source', arg);
      } else if (node.name === 'type') {
        differs(`type() of ${FIELD_OF[kind]} is "${kind === 'time.Time' ? 'time.Time' : kind === 'uuid.UUID' ? 'github.com/google/uuid.UUID' : `github.com/FuturFusion/migration-manager/shared/${kind}`}" in migration-manager`, arg);
      } else if ((node.name === 'int' || node.name === 'float') && kind !== 'time.Time') {
        fails(kind, `${node.name}() of ${FIELD_OF[kind]}`, arg);
      } else if (UNTYPED_FUNCTIONS.has(node.name)) {
        if (kind === 'time.Time' || kind === 'uuid.UUID') rejects(kind, `${node.name}() of ${FIELD_OF[kind]}`, arg);
        else fails(kind, `${node.name}() of ${FIELD_OF[kind]}`, arg);
      } else if (!ANY_ARGUMENT_FUNCTIONS.has(node.name)) {
        rejects(kind, `${FIELD_OF[kind]} as an argument of ${node.name}()`, arg);
      }
    });
  };

  visit(root);
  return warnings;
}
