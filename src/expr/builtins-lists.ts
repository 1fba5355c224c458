import { define } from './builtin-support.js';
import type { Budget } from './budget.js';
import { produced } from './costs.js';
import type { Span } from './errors.js';
import { Float64 } from './float.js';
import type { ArgumentProblem, FunctionDef } from './functions.js';
import { isInt } from './int64.js';
import { TimeValue } from './time-values.js';
import { ANY, INT, article, isAny, isStringLike, listOf, mapOf, type ExprType } from './types.js';
import {
  AnyMap, equal, isMap, isStruct, mapKey, order, runeCount, sameGoType, typeFault, utf8, valueTypeName, type MapKey, type Value,
} from './values.js';

// expr-lang's functions on lists and maps (builtin/builtin.go): len, first, last, get, take,
// keys, values, toPairs, fromPairs, reverse, uniq, concat, flatten and sort. Lists they build are
// Go's []any; the order of a map's keys, random in Go, is the map's order here.

const LIST_OF_ANY = listOf(ANY);

/** A list argument, or what the function says about anything else. */
function checkList(name: string, what: string) {
  return ([arg]: readonly ExprType[]): ExprType | ArgumentProblem => {
    if (arg!.kind === 'list') return LIST_OF_ANY;
    if (isAny(arg!)) return LIST_OF_ANY;
    return { argument: 0, message: `cannot ${what} ${article(arg!)}: ${name} needs a list` };
  };
}

function needList(name: string, what: string, value: Value, at: Span): readonly Value[] {
  if (!Array.isArray(value)) throw typeFault(`cannot ${what} ${valueTypeName(value)}: ${name} needs a list`, at);
  return value;
}

function needMap(name: string, what: string, value: Value, at: Span): ReadonlyMap<MapKey, Value> {
  if (!isMap(value)) throw typeFault(`cannot ${what} ${valueTypeName(value)}: ${name} needs a map`, at);
  return value;
}

/** A list of `size` elements built by a function: charged before it is built. */
function building(budget: Budget, size: number, at: Span): void {
  produced(budget, size, at);
}

/** expr-lang's first/last: the element, or nil for an empty list and for anything it cannot index. */
function edge(value: Value, last: boolean): Value {
  if (Array.isArray(value)) return value.length === 0 ? null : (value as readonly Value[])[last ? value.length - 1 : 0]!;
  if (typeof value === 'string') {
    const bytes = utf8(value);
    return bytes.length === 0 ? null : bytes[last ? bytes.length - 1 : 0]!;
  }
  return null;
}

/** The nullable element type a lookup gives: it is nil when the list is empty. */
export function maybe(type: ExprType): ExprType {
  return isAny(type) ? type : ({ ...type, nullable: true } as ExprType);
}

function flatten(items: readonly Value[], into: Value[], budget: Budget, at: Span): void {
  for (const item of items) {
    budget.charge(1, at);
    if (Array.isArray(item)) flatten(item as readonly Value[], into, budget, at);
    else {
      budget.allocate(1, at);
      into.push(item);
    }
  }
}

export const LIST_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'len',
    minArgs: 1,
    maxArgs: 1,
    usage: 'len(list | map | string)',
    check: ([arg]) => {
      const kind = arg!.kind;
      if (kind === 'list' || kind === 'map' || isStringLike(arg!) || kind === 'any') return INT;
      return { argument: 0, message: `len needs a list, a map or a string, got ${article(arg!)}` };
    },
    call: ([arg], _view, [span], budget, at) => {
      if (typeof arg === 'string') {
        budget.charge(arg.length, at);
        return runeCount(arg);
      }
      if (Array.isArray(arg)) return arg.length;
      if (isMap(arg!)) return arg.size;
      if (arg instanceof TimeValue && arg.text !== undefined) return runeCount(arg.text);
      throw typeFault(`len needs a list, a map or a string, got ${valueTypeName(arg!)}`, span!);
    },
  }),
  ...(['first', 'last'] as const).map((name) => define({
    name,
    minArgs: 1,
    maxArgs: 1,
    usage: `${name}(list)`,
    check: ([arg]) => {
      // expr-lang types it by the Go type of the list: a []any (a literal, filter's result) gives any.
      if (arg!.kind === 'list') return arg!.typed ? maybe(arg!.element) : ANY;
      if (isAny(arg!)) return ANY;
      return { argument: 0, message: `cannot get the ${name} element of ${article(arg!)}` };
    },
    call: ([arg]) => edge(arg!, name === 'last'),
  })),
  define({
    name: 'get',
    minArgs: 2,
    maxArgs: 2,
    usage: 'get(list | map, index | key)',
    check: ([from, key]) => {
      if (isAny(from!)) return ANY;
      if (from!.kind === 'list') return key!.kind === 'int' || isAny(key!) ? maybe(from!.element) : { argument: 1, message: `a list index must be an int, got ${article(key!)}` };
      if (from!.kind === 'map') return isAny(key!) || isAny(from!.key) || key!.kind === from!.key.kind ? maybe(from!.value) : { argument: 1, message: `cannot use ${article(key!)} to get an element of ${article(from!)}` };
      return { argument: 0, message: `${article(from!)} cannot be indexed` };
    },
    // expr-lang's get: like an index, but nil for an index out of range, a missing key or field.
    call: ([from, key], _view, spans) => {
      if (from === null) throw typeFault('cannot get an element of nil', spans[0]!);
      if (Array.isArray(from) || typeof from === 'string') {
        const items: readonly Value[] = typeof from === 'string' ? Array.from(utf8(from)) : (from as readonly Value[]);
        const position = isInt(key!) ? Number(key) : key instanceof Float64 ? Math.trunc(key.value) : undefined;
        if (position === undefined) throw typeFault(`a list index must be an int, got ${valueTypeName(key!)}`, spans[1]!);
        const at = position < 0 ? position + items.length : position;
        return at >= 0 && at < items.length ? items[at]! : null;
      }
      if (isMap(from!)) return from.get(mapKey(from, key!, spans[1]!)) ?? null;
      if (isStruct(from!) && typeof key === 'string') return Object.hasOwn(from, key) ? from[key]! : null;
      return null;
    },
  }),
  define({
    name: 'take',
    minArgs: 2,
    maxArgs: 2,
    usage: 'take(list, count)',
    check: ([items, count]) => {
      if (items!.kind !== 'list' && !isAny(items!)) return { argument: 0, message: `cannot take from ${article(items!)}` };
      if (count!.kind !== 'int' && !isAny(count!)) return { argument: 1, message: `cannot take ${article(count!)} elements` };
      // Go's type of the list: the []any of a literal or of filter's result forgets its elements.
      return items!.kind === 'list' && !items!.typed ? LIST_OF_ANY : items!;
    },
    call: ([items, count], _view, spans, budget, at) => {
      const list = needList('take', 'take from', items!, spans[0]!);
      if (!isInt(count!)) throw typeFault(`cannot take ${valueTypeName(count!)} elements`, spans[1]!);
      if (count < 0) throw typeFault(`cannot take ${count} elements`, spans[1]!);
      const taken = count > list.length ? list.length : Number(count);
      building(budget, taken, at);
      return sameGoType(list.slice(0, taken), list);
    },
  }),
  ...(['keys', 'values'] as const).map((name) => define({
    name,
    minArgs: 1,
    maxArgs: 1,
    usage: `${name}(map)`,
    check: ([arg]) => (arg!.kind === 'map' || isAny(arg!) ? LIST_OF_ANY : { argument: 0, message: `cannot get ${name} from ${article(arg!)}` }),
    call: ([arg], _view, [span], budget, at) => {
      const map = needMap(name, `get ${name} from`, arg!, span!);
      building(budget, map.size, at);
      return name === 'keys' ? [...map.keys()] as Value[] : [...map.values()];
    },
  })),
  define({
    name: 'toPairs',
    minArgs: 1,
    maxArgs: 1,
    usage: 'toPairs(map)',
    check: ([arg]) => (arg!.kind === 'map' || isAny(arg!) ? listOf(LIST_OF_ANY) : { argument: 0, message: `cannot transform ${article(arg!)} to pairs` }),
    call: ([arg], _view, [span], budget, at) => {
      const map = needMap('toPairs', 'transform to pairs', arg!, span!);
      building(budget, map.size * 3, at);
      return [...map].map(([key, value]) => [key, value] as Value[]);
    },
  }),
  define({
    name: 'fromPairs',
    minArgs: 1,
    maxArgs: 1,
    usage: 'fromPairs(list of pairs)',
    check: ([arg]) => (arg!.kind === 'list' || isAny(arg!) ? mapOf(ANY, ANY) : { argument: 0, message: `cannot transform ${article(arg!)} from pairs` }),
    call: ([arg], _view, [span], budget, at) => {
      const pairs = needList('fromPairs', 'transform from pairs', arg!, span!);
      building(budget, pairs.length, at);
      const map = new AnyMap();
      for (const pair of pairs) {
        if (!Array.isArray(pair)) throw typeFault(`invalid pair ${valueTypeName(pair)}`, span!);
        if (pair.length !== 2) throw typeFault(`invalid pair length ${pair.length}`, span!);
        map.set(mapKey(map, pair[0] as Value, span!), pair[1] as Value);
      }
      return map;
    },
  }),
  define({
    name: 'reverse',
    minArgs: 1,
    maxArgs: 1,
    usage: 'reverse(list)',
    check: checkList('reverse', 'reverse'),
    call: ([arg], _view, [span], budget, at) => {
      const list = needList('reverse', 'reverse', arg!, span!);
      building(budget, list.length, at);
      return [...list].reverse();
    },
  }),
  define({
    name: 'uniq',
    minArgs: 1,
    maxArgs: 1,
    usage: 'uniq(list)',
    check: checkList('uniq', 'uniq'),
    call: ([arg], _view, [span], budget, at) => {
      const list = needList('uniq', 'uniq', arg!, span!);
      const kept: Value[] = [];
      for (const item of list) {
        // Each element is compared with every one kept so far, as expr-lang does.
        budget.charge(1 + kept.length, at);
        if (!kept.some((other) => equal(item, other))) {
          budget.allocate(1, at);
          kept.push(item);
        }
      }
      return kept;
    },
  }),
  define({
    name: 'concat',
    minArgs: 1,
    maxArgs: Infinity,
    usage: 'concat(list, list, …)',
    check: (args) => {
      const wrong = args.findIndex((arg) => arg.kind !== 'list' && !isAny(arg));
      return wrong < 0 ? LIST_OF_ANY : { argument: wrong, message: `cannot concat ${article(args[wrong]!)}` };
    },
    call: (args, _view, spans, budget, at) => {
      const lists = args.map((arg, i) => needList('concat', 'concat', arg, spans[i]!));
      building(budget, lists.reduce((sum, items) => sum + items.length, 0), at);
      return lists.flat(1) as Value[];
    },
  }),
  define({
    name: 'flatten',
    minArgs: 1,
    maxArgs: 1,
    usage: 'flatten(list)',
    check: checkList('flatten', 'flatten'),
    call: ([arg], _view, [span], budget, at) => {
      const flat: Value[] = [];
      flatten(needList('flatten', 'flatten', arg!, span!), flat, budget, at);
      return flat;
    },
  }),
  define({
    name: 'sort',
    minArgs: 1,
    maxArgs: 2,
    usage: 'sort(list[, "asc" | "desc"])',
    check: ([items, direction]) => {
      if (items!.kind === 'list') {
        const element = items!.element;
        if (element.kind === 'object' || element.kind === 'map' || element.kind === 'list' || element.kind === 'bool') {
          return { argument: 0, message: `cannot sort ${article(items!)}: sort compares numbers, strings and times` };
        }
      } else if (!isAny(items!)) {
        return { argument: 0, message: `sort needs a list, got ${article(items!)}` };
      }
      if (direction && !isStringLike(direction) && !isAny(direction)) return { argument: 1, message: `the order must be "asc" or "desc", got ${article(direction)}` };
      return LIST_OF_ANY;
    },
    call: (args, _view, spans, budget, at) => {
      const list = needList('sort', 'sort', args[0]!, spans[0]!);
      const direction = args[1] ?? 'asc';
      if (direction !== 'asc' && direction !== 'desc') throw typeFault(`invalid order ${String(direction)}, expected asc or desc`, spans[1]!);
      budget.charge(list.length * Math.max(1, Math.ceil(Math.log2(list.length + 1))), at);
      building(budget, list.length, at);
      const sign = direction === 'desc' ? -1 : 1;
      return [...list].sort((a, b) => sign * order(a, b, 'sort', spans[0]!));
    },
  }),
];

