// Reading and writing variables according to their resolved binding.

import type { Ident } from '../syntax/ast.js';
import type { Pos } from '../syntax/position.js';
import { Scope } from '../resolve/binding.js';
import { UNIVERSE } from '../library/universe.js';
import type { Cell } from '../values/function.js';
import type { Value } from '../values/value.js';
import type { AssignFn, CompileContext, ExprFn } from './compile-context.js';
import { fail } from './errors.js';
import type { Frame } from './frame.js';

function unbound(fr: Frame, pos: Pos, kind: string, name: string): never {
  fr.pos = pos;
  fail(`${kind} variable ${name} referenced before assignment`);
}

export function compileLookup(cx: CompileContext, id: Ident): ExprFn {
  const bind = id.binding;
  if (bind === undefined) throw new Error(`internal error: unresolved identifier ${id.name}`);
  const pos = id.pos;
  const name = id.name;
  const i = bind.index;
  switch (bind.scope) {
    case Scope.Local:
      return (fr) => {
        const v = fr.locals[i];
        if (v === undefined) unbound(fr, pos, 'local', name);
        return v as Value;
      };
    case Scope.Cell:
      return (fr) => {
        const v = (fr.locals[i] as Cell).v;
        if (v === undefined) unbound(fr, pos, 'local', name);
        return v;
      };
    case Scope.Free:
      return (fr) => {
        const v = fr.fn.freevars[i].v;
        if (v === undefined) unbound(fr, pos, 'local', name);
        return v;
      };
    case Scope.Global:
      return (fr) => {
        const v = fr.globals[i];
        if (v === undefined) unbound(fr, pos, 'global', name);
        return v;
      };
    case Scope.Predeclared: {
      const slot = cx.predeclaredSlot(name);
      return (fr) => {
        const v = fr.fn.module.pre[slot];
        if (v === undefined) {
          fr.pos = pos;
          fail(`internal error: predeclared variable ${name} is uninitialized`);
        }
        return v;
      };
    }
    case Scope.Universal: {
      const v = UNIVERSE.get(name);
      if (v === undefined) throw new Error(`internal error: unknown universal ${name}`);
      return () => v;
    }
    default:
      throw new Error(`internal error: lookup of ${name} with scope ${bind.scope}`);
  }
}

export function compileStore(id: Ident): AssignFn {
  const bind = id.binding;
  if (bind === undefined) throw new Error(`internal error: unresolved identifier ${id.name}`);
  const i = bind.index;
  switch (bind.scope) {
    case Scope.Local:
      return (fr, v) => {
        fr.locals[i] = v;
      };
    case Scope.Cell:
      return (fr, v) => {
        (fr.locals[i] as Cell).v = v;
      };
    case Scope.Global:
      return (fr, v) => {
        fr.globals[i] = v;
      };
    default:
      throw new Error(`internal error: store to ${id.name} with scope ${bind.scope}`);
  }
}
