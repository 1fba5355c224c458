import type { Budget } from './budget.js';
import { produced } from './costs.js';
import type { Span } from './errors.js';
import type { ArgumentProblem, FunctionDef } from './functions.js';
import { ANY, article, isAny, isNumber, isStringLike, type ExprType } from './types.js';
import { text, typeFault, valueTypeName, type Value } from './values.js';

// What the built-in functions share: expr-lang's typed signatures (a function given as
// `types(strings.Trim, …)` accepts the arguments of one of its overloads), argument checks at
// run time, and charging for the text a function reads and writes.

export type Param = 'string' | 'int' | 'any' | 'list' | 'time' | 'duration';

/** Whether an argument of this type may be passed where Go expects `param` (unknown types may). */
export function fits(type: ExprType, param: Param): boolean {
  if (isAny(type)) return true;
  switch (param) {
    case 'any':
      return true;
    case 'string':
      return isStringLike(type);
    case 'int':
      return type.kind === 'int';
    case 'list':
      return type.kind === 'list';
    case 'time':
      return type.kind === 'time';
    case 'duration':
      return type.kind === 'duration';
  }
}

const PARAM_NAMES: Readonly<Record<Param, string>> = { string: 'a string', int: 'an int', any: 'a value', list: 'a list', time: 'a time', duration: 'a duration' };

/**
 * The check of a function with fixed overloads: the first whose parameters fit gives the result
 * type; otherwise the problem with the overload of the same arity.
 */
export function overloads(name: string, ...signatures: readonly (readonly [readonly Param[], ExprType])[]) {
  return (args: readonly ExprType[]): ExprType | ArgumentProblem => {
    for (const [params, result] of signatures) {
      if (params.length === args.length && params.every((param, i) => fits(args[i]!, param))) return result;
    }
    const [params] = signatures.find(([candidate]) => candidate.length === args.length) ?? signatures[0]!;
    const wrong = args.findIndex((arg, i) => params[i] !== undefined && !fits(arg, params[i]!));
    return { argument: Math.max(wrong, 0), message: `${name} needs ${PARAM_NAMES[params[Math.max(wrong, 0)] ?? 'any']} here, got ${article(args[Math.max(wrong, 0)] ?? ANY)}` };
  };
}

export const isNumeric = (type: ExprType): boolean => isNumber(type) || isAny(type);

export function strings(args: readonly Value[], name: string, spans: readonly Span[]): string[] {
  return args.map((arg, i) => text(arg, name, spans[i]!));
}

/** A string function: reads its text, then writes (and allocates) its result. */
export function rewritten(value: string, rewrite: (value: string) => string, budget: Budget, at: Span): string {
  budget.charge(value.length, at);
  const result = rewrite(value);
  produced(budget, result.length, at);
  return result;
}

export function wrongType(name: string, value: Value, at: Span): never {
  throw typeFault(`invalid argument for ${name} (type ${valueTypeName(value)})`, at);
}

/** A definition with the fields every function has. */
export function define(definition: Omit<FunctionDef, 'reads'> & { reads?: readonly string[] }): FunctionDef {
  return { reads: [], ...definition };
}
