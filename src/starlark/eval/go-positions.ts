// Positions starlark-go reports for the few failures that its bytecode gives no position of
// their own. Its compiler records a position only for instructions that can fail, and a
// position is "sticky": one recorded before an instruction that has none is given to it. At
// run time, a failing instruction is placed at the last recorded position at or before it in
// the code's layout. Two failures depend on this:
//
// - a call that fails before its body runs (a recursive call without the recursion option, bad
//   arguments) is placed at the function's first instruction: the def (or lambda), unless that
//   instruction records its own position, such as looking up a local variable
//   (`return n if n < 2 else ...` fails at the `n`);
// - a slice x[lo:hi:step] that fails is placed at the last position recorded while evaluating
//   its operands: its '[' is recorded first and given to the first instruction, so that `d[1:2]`
//   fails at `d` when d is a variable, at the '-' of `-2` in `d[1:-2]`, and at '[' for `{}[1:2]`.
//
// Ferry compiles to closures, so it finds these positions statically by following starlark-go's
// compilation order and block layout: a depth-first walk of its control-flow graph that places
// the fall-through successor of a conditional jump first, so that the code after `x and y`
// comes before the code of y, and the code after `a if c else b` follows b (a comes later).

import { Scope } from '../resolve/binding.js';
import type { Comprehension, Expr, SliceExpr, Stmt } from '../syntax/ast.js';
import type { Pos } from '../syntax/position.js';
import { Tok } from '../syntax/tokens.js';

/** Raised to stop the walk once the instruction sought has been emitted. */
const FOUND = Symbol('found');

class Emitter {
  /** A position recorded, waiting for the next instruction. */
  private pending: Pos = 0;
  /** The position of the last instruction that recorded one. */
  last: Pos = 0;

  constructor(
    pending: Pos,
    /** Stop at the first instruction (see entryPosition). */
    private readonly firstOnly: boolean,
  ) {
    this.pending = pending;
  }

  setPos(pos: Pos): void {
    this.pending = pos;
  }

  emit(): void {
    if (this.pending !== 0) {
      this.last = this.pending;
      this.pending = 0;
    }
    if (this.firstOnly) throw FOUND;
  }

  stmts(stmts: readonly Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  /** A statement, as far as its first instruction (only needed for entryPosition). */
  stmt(s: Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        // A literal statement (a doc string) compiles to nothing.
        if (s.x.kind !== 'Literal') this.expr(s.x);
        return;
      case 'BranchStmt':
      case 'LoadStmt':
        return;
      case 'IfStmt':
      case 'WhileStmt':
        this.expr(s.cond);
        return;
      case 'ForStmt':
        this.expr(s.x);
        return;
      case 'ReturnStmt':
        if (s.result !== undefined) this.expr(s.result);
        else this.emit();
        return;
      case 'DefStmt':
        this.function(s.def, s.params);
        return;
      case 'AssignStmt': {
        if (s.op === Tok.EQ) {
          this.expr(s.rhs);
          return;
        }
        const lhs = unparen(s.lhs);
        this.expr(lhs.kind === 'IndexExpr' || lhs.kind === 'DotExpr' ? lhs.x : lhs);
        return;
      }
    }
  }

  /** Making a def or lambda: its position, its defaults, its captured cells, the function. */
  function(pos: Pos, params: readonly Expr[]): void {
    this.setPos(pos);
    let seenStar = false;
    for (const p of params) {
      if (p.kind === 'BinaryExpr') this.expr(p.y);
      else if (p.kind === 'UnaryExpr') seenStar = true;
      else if (seenStar) this.emit();
    }
    this.emit();
  }

  /** The instructions of an expression, in layout order, up to where the code after it goes. */
  expr(e: Expr): void {
    switch (e.kind) {
      case 'ParenExpr':
        this.expr(e.x);
        return;
      case 'Ident':
        if (e.binding !== undefined && e.binding.scope !== Scope.Universal) this.setPos(e.pos);
        this.emit();
        return;
      case 'Literal':
        this.emit();
        return;
      case 'ListExpr':
      case 'TupleExpr':
        for (const x of e.list) this.expr(x);
        this.emit();
        return;
      case 'DictExpr':
        this.emit();
        for (const entry of e.list) {
          this.expr(entry.key);
          this.expr(entry.value);
          this.setPos(entry.colon);
          this.emit();
        }
        return;
      case 'Comprehension':
        this.comprehension(e);
        return;
      case 'CondExpr':
        // The branch laid out first is followed by the code after the expression.
        this.expr(this.ifelse(e.cond) ? e.t : e.f);
        return;
      case 'IndexExpr':
        this.expr(e.x);
        this.expr(e.y);
        this.setPos(e.lbrack);
        this.emit();
        return;
      case 'SliceExpr':
        this.slice(e);
        return;
      case 'DotExpr':
        this.expr(e.x);
        this.setPos(e.dot);
        this.emit();
        return;
      case 'UnaryExpr':
        this.expr(e.x as Expr);
        this.setPos(e.opPos);
        this.emit();
        return;
      case 'CallExpr':
        this.expr(e.fn);
        for (const a of e.args) {
          if (a.kind === 'BinaryExpr' && a.op === Tok.EQ) {
            this.emit();
            this.expr(a.y);
          } else if (!(a.kind === 'UnaryExpr' && (a.op === Tok.STAR || a.op === Tok.STARSTAR))) {
            this.expr(a);
          }
        }
        for (const a of e.args) if (a.kind === 'UnaryExpr' && a.op === Tok.STAR) this.expr(a.x as Expr);
        for (const a of e.args) if (a.kind === 'UnaryExpr' && a.op === Tok.STARSTAR) this.expr(a.x as Expr);
        this.setPos(e.lparen);
        this.emit();
        return;
      case 'LambdaExpr':
        this.function(e.lambda, e.params);
        return;
      case 'BinaryExpr':
        switch (e.op) {
          case Tok.OR:
            // x, its test, then y, then the code after.
            this.expr(e.x);
            this.emit();
            this.emit();
            this.expr(e.y);
            return;
          case Tok.AND:
            // x and its test, then the code after; y comes later.
            this.expr(e.x);
            this.emit();
            this.emit();
            return;
          case Tok.PLUS:
            this.plus(e);
            return;
          default:
            this.expr(e.x);
            this.expr(e.y);
            this.setPos(e.opPos);
            this.emit();
        }
    }
  }

  slice(e: SliceExpr): void {
    this.setPos(e.lbrack);
    this.expr(e.x);
    for (const part of [e.lo, e.hi, e.step]) {
      if (part !== undefined) this.expr(part);
      else this.emit();
    }
    this.emit();
  }

  /**
   * The condition of an if or a conditional expression and its conditional jump, as laid out
   * before the branch that follows it; returns whether that branch is the true one.
   */
  private ifelse(cond: Expr): boolean {
    if (cond.kind === 'UnaryExpr' && cond.op === Tok.NOT) return !this.ifelse(cond.x as Expr);
    if (cond.kind === 'BinaryExpr') {
      switch (cond.op) {
        case Tok.AND:
          // The false branch falls through; y is tested later.
          this.expr(cond.x);
          this.emit();
          return false;
        case Tok.OR:
          // y is tested next.
          this.expr(cond.x);
          this.emit();
          return this.ifelse(cond.y);
        case Tok.NOT_IN:
          this.expr({ ...cond, op: Tok.IN });
          this.emit();
          return true;
      }
    }
    this.expr(cond);
    this.emit();
    return false;
  }

  /** A comprehension: its result, then each clause and the body; the code after comes last. */
  private comprehension(e: Comprehension): void {
    this.emit();
    for (const clause of e.clauses) {
      if (clause.kind === 'IfClause') {
        this.expr(clause.cond);
        this.emit();
        continue;
      }
      this.expr(clause.x);
      this.setPos(clause.forPos);
      this.emit();
      this.emit();
      this.assign(clause.vars, clause.forPos);
    }
    this.emit();
    if (e.body.kind === 'DictEntry') {
      this.expr(e.body.key);
      this.expr(e.body.value);
      this.setPos(e.body.colon);
    } else {
      this.expr(e.body);
    }
    this.emit();
  }

  /** Assigning to loop variables: an unpacking records the position of its 'for'. */
  private assign(vars: Expr, pos: Pos): void {
    const v = unparen(vars);
    if (v.kind === 'TupleExpr' || v.kind === 'ListExpr') {
      this.setPos(pos);
      this.emit();
      for (const x of v.list) this.assign(x, pos);
    } else {
      this.emit();
    }
  }

  /** A chain of '+': adjacent literals of one kind folded, then each operand and its '+'. */
  private plus(e: Expr): void {
    const summands: { x: Expr; pos: Pos }[] = [];
    let x = e;
    while (x.kind === 'BinaryExpr' && x.op === Tok.PLUS) {
      summands.push({ x: unparen(x.y), pos: x.opPos });
      x = unparen(x.x);
    }
    summands.push({ x, pos: 0 });
    summands.reverse();
    const folded: { x: Expr; pos: Pos }[] = [];
    for (let i = 0; i < summands.length; ) {
      const code = addable(summands[i].x);
      let j = i + 1;
      if (code !== undefined) while (j < summands.length && addable(summands[j].x) === code) j++;
      if (j > i + 1 && (code === 'l' || code === 't')) {
        const list = summands.slice(i, j).flatMap((s) => (s.x as { list: Expr[] }).list);
        folded.push({ x: { kind: 'ListExpr', lbrack: 0, list, rbrack: 0 }, pos: summands[i].pos });
      } else {
        folded.push(summands[i]);
      }
      i = j;
    }
    this.expr(folded[0].x);
    for (const s of folded.slice(1)) {
      this.expr(s.x);
      this.setPos(s.pos);
      this.emit();
    }
  }
}

function unparen(e: Expr): Expr {
  return e.kind === 'ParenExpr' ? unparen(e.x) : e;
}

/** Literals starlark-go folds when adjacent in a chain of '+', by kind. */
function addable(e: Expr): string | undefined {
  if (e.kind === 'Literal') return e.tok === Tok.STRING ? 's' : e.tok === Tok.BYTES ? 'b' : undefined;
  if (e.kind === 'ListExpr') return 'l';
  if (e.kind === 'TupleExpr') return 't';
  return undefined;
}

/** The position starlark-go gives a function's frame before its first instruction runs. */
export function entryPosition(defPos: Pos, body: readonly Stmt[]): Pos {
  const emitter = new Emitter(defPos, true);
  try {
    emitter.stmts(body);
    emitter.emit();
  } catch (e) {
    if (e !== FOUND) throw e;
  }
  return emitter.last;
}

/** The position starlark-go reports for a failing slice x[lo:hi:step]. */
export function slicePosition(e: SliceExpr): Pos {
  const emitter = new Emitter(0, false);
  emitter.slice(e);
  return emitter.last;
}
