// x.name, x.name = v, dir(x): fields of host values and methods of built-in types, with
// starlark-go's "did you mean" hints.

import { BYTES_METHODS } from '../library/bytes-methods.js';
import { DICT_METHODS } from '../library/dict-methods.js';
import { LIST_METHODS } from '../library/list-methods.js';
import type { MethodImpl } from '../library/method.js';
import { SET_METHODS } from '../library/set-methods.js';
import { STRING_METHODS } from '../library/string-methods.js';
import { nearest } from '../text/spell.js';
import { Builtin } from '../values/builtin.js';
import { StarBytes } from '../values/bytes.js';
import { StarDict } from '../values/dict.js';
import { StarList } from '../values/list.js';
import { StarSet } from '../values/set.js';
import { StarObject, typeName, type Value } from '../values/value.js';
import { fail, StarFail } from './errors.js';
import { chargeContainer, chargeWork } from './limits.js';

export function methodTable(x: Value): ReadonlyMap<string, MethodImpl> | undefined {
  if (typeof x === 'string') return STRING_METHODS;
  if (x instanceof StarList) return LIST_METHODS;
  if (x instanceof StarDict) return DICT_METHODS;
  if (x instanceof StarSet) return SET_METHODS;
  if (x instanceof StarBytes) return BYTES_METHODS;
  return undefined;
}

export function bindMethod(recv: Value, name: string, impl: MethodImpl): Builtin {
  return new Builtin(name, (thread, args, kwargs) => impl(thread, recv, args, kwargs, name), recv);
}

function withHint(message: string, name: string, candidates: string[]): string {
  const n = nearest(name, candidates);
  return n !== '' ? `${message} (did you mean .${n}?)` : message;
}

/** Looks up an attribute; undefined if absent. Errors other than "no such attribute" propagate. */
export function lookupAttr(x: Value, name: string): Value | undefined {
  const methods = methodTable(x);
  if (methods !== undefined) {
    const impl = methods.get(name);
    return impl !== undefined ? bindMethod(x, name, impl) : undefined;
  }
  if (x instanceof StarObject && x.attr !== undefined) return x.attr(name);
  return undefined;
}

export function hasAttrs(x: Value): boolean {
  return methodTable(x) !== undefined || (x instanceof StarObject && x.attr !== undefined);
}

/** Attribute names, sorted (dir); charged as a new list that is sorted. */
export function attrNames(x: Value): string[] {
  const methods = methodTable(x);
  let names: string[] = [];
  if (methods !== undefined) names = [...methods.keys()];
  else if (x instanceof StarObject && x.attrNames !== undefined) names = x.attrNames().slice();
  chargeContainer(names.length);
  chargeWork(names.length * Math.log2(names.length + 1));
  return names.sort();
}

/** x.name, failing with starlark-go's message and spelling hint. */
export function getAttr(x: Value, name: string): Value {
  if (!hasAttrs(x)) fail(`${typeName(x)} has no .${name} field or method`);
  let message: string;
  try {
    const v = lookupAttr(x, name);
    if (v !== undefined) return v;
    message = `${typeName(x)} has no .${name} field or method`;
  } catch (e) {
    if (!(e instanceof StarFail) || !e.noSuchAttr) throw e;
    message = e.message;
  }
  return fail(withHint(message, name, attrNames(x)));
}

/** x.name = v. */
export function setField(x: Value, name: string, v: Value): void {
  if (x instanceof StarObject && x.setField !== undefined) {
    try {
      x.setField(name, v);
    } catch (e) {
      if (e instanceof StarFail && e.noSuchAttr) fail(withHint(e.message, name, attrNames(x)));
      throw e;
    }
    return;
  }
  fail(`can't assign to .${name} field of ${typeName(x)}`);
}
