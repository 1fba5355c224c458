// The resolver binds every identifier to a local, cell, free, global, predeclared or universal
// variable and reports static errors, following starlark-go's resolve package (messages,
// positions and the order in which uses are resolved).

import type { Comprehension, Expr, FileSyntax, Ident, Stmt } from '../syntax/ast.js';
import { startOf, nodeTypeName } from '../syntax/ast.js';
import { formatPos, type Pos, type SourceError } from '../syntax/position.js';
import { Tok, tokenName } from '../syntax/tokens.js';
import { goQuote } from '../text/go-quote.js';
import { nearest } from '../text/spell.js';
import type { DialectOptions } from '../options.js';
import { Scope, scopeName, type Binding, type FunctionScope, type ModuleScope } from './binding.js';

const DOESNT = 'this Starlark dialect does not ';

interface Block {
  parent: Block | undefined;
  fn: FunctionScope | undefined;
  comp: Comprehension | undefined;
  bindings: Map<string, Binding>;
  children: Block[];
  uses: Use[];
}

interface Use {
  id: Ident;
  env: Block;
}

function newBlock(fn?: FunctionScope, comp?: Comprehension): Block {
  return { parent: undefined, fn, comp, bindings: new Map(), children: [], uses: [] };
}

export interface ResolveEnv {
  isPredeclared(name: string): boolean;
  isUniversal(name: string): boolean;
}

class Resolver {
  readonly file: Block = newBlock();
  env: Block = this.file;
  readonly moduleLocals: Binding[] = [];
  readonly moduleGlobals: Binding[] = [];
  readonly globals = new Map<string, Binding>();
  readonly predeclared = new Map<string, Binding>();
  loops = 0;
  ifstmts = 0;
  readonly errors: SourceError[] = [];

  constructor(
    readonly filename: string,
    readonly dialect: DialectOptions,
    readonly names: ResolveEnv,
  ) {}

  errorf(pos: Pos, message: string): void {
    this.errors.push({ pos, message });
  }

  container(): Block {
    for (let b: Block = this.env; ; b = b.parent as Block) {
      if (b.fn !== undefined || b === this.file) return b;
    }
  }

  push(b: Block): void {
    this.env.children.push(b);
    b.parent = this.env;
    this.env = b;
  }

  pop(): void {
    this.env = this.env.parent as Block;
  }

  /** Creates a binding for `id` in the current block; reports whether it already existed. */
  bind(id: Ident): boolean {
    if (this.env === this.file) {
      let bind = this.file.bindings.get(id.name);
      let ok = bind !== undefined;
      if (!ok) {
        bind = this.globals.get(id.name);
        ok = bind !== undefined;
        if (!ok) {
          bind = { scope: Scope.Global, index: this.moduleGlobals.length, first: id };
          this.globals.set(id.name, bind);
          this.moduleGlobals.push(bind);
        }
      }
      const b = bind as Binding;
      if (ok && !this.dialect.globalReassign) {
        this.errorf(id.pos, `cannot reassign ${scopeName(b.scope)} ${id.name} declared at ${formatPos(this.filename, (b.first as Ident).pos)}`);
      }
      id.binding = b;
      return ok;
    }
    return this.bindLocal(id);
  }

  bindLocal(id: Ident): boolean {
    const ok = this.env.bindings.has(id.name);
    if (!ok) {
      const fn = this.container().fn;
      const locals = fn !== undefined ? fn.locals : this.moduleLocals;
      const bind: Binding = { scope: Scope.Local, index: locals.length, first: id };
      this.env.bindings.set(id.name, bind);
      locals.push(bind);
    }
    this.use(id);
    return ok;
  }

  use(id: Ident): void {
    const use: Use = { id, env: this.env };
    if (this.dialect.globalReassign && this.env === this.file) {
      this.useToplevel(use);
      return;
    }
    this.container().uses.push(use);
  }

  useToplevel(use: Use): Binding {
    const id = use.id;
    let bind = this.file.bindings.get(id.name) ?? this.globals.get(id.name) ?? this.predeclared.get(id.name);
    if (bind === undefined) {
      if (this.names.isPredeclared(id.name)) {
        bind = { scope: Scope.Predeclared, index: 0, first: undefined };
        this.predeclared.set(id.name, bind);
      } else if (this.names.isUniversal(id.name)) {
        if (!this.dialect.set && id.name === 'set') this.errorf(id.pos, `${DOESNT}support sets`);
        bind = { scope: Scope.Universal, index: 0, first: undefined };
        this.predeclared.set(id.name, bind);
      } else {
        bind = { scope: Scope.Undefined, index: 0, first: undefined };
        const hint = this.spellcheck(use);
        this.errorf(id.pos, `undefined: ${id.name}${hint !== '' ? ` (did you mean ${hint}?)` : ''}`);
      }
    }
    id.binding = bind;
    return bind;
  }

  spellcheck(use: Use): string {
    const names: string[] = [];
    for (let b: Block | undefined = use.env; b !== undefined; b = b.parent) names.push(...b.bindings.keys());
    for (const bind of this.moduleGlobals) names.push((bind.first as Ident).name);
    names.sort();
    return nearest(use.id.name, names);
  }

  stmts(stmts: Stmt[]): void {
    for (const stmt of stmts) this.stmt(stmt);
  }

  stmt(stmt: Stmt): void {
    switch (stmt.kind) {
      case 'ExprStmt':
        this.expr(stmt.x);
        break;
      case 'BranchStmt':
        if (this.loops === 0 && (stmt.tok === Tok.BREAK || stmt.tok === Tok.CONTINUE)) {
          this.errorf(stmt.pos, `${tokenName(stmt.tok)} not in a loop`);
        }
        break;
      case 'IfStmt':
        if (!this.dialect.topLevelControl && this.container().fn === undefined) {
          this.errorf(stmt.ifPos, 'if statement not within a function');
        }
        this.expr(stmt.cond);
        this.ifstmts++;
        this.stmts(stmt.t);
        this.stmts(stmt.f);
        this.ifstmts--;
        break;
      case 'AssignStmt':
        this.expr(stmt.rhs);
        this.assign(stmt.lhs, stmt.op !== Tok.EQ);
        break;
      case 'DefStmt': {
        this.bind(stmt.name);
        const fn = this.newFunction(stmt.name.name, stmt.def, stmt.params, stmt.body);
        stmt.scope = fn;
        this.function(fn);
        break;
      }
      case 'ForStmt':
        if (!this.dialect.topLevelControl && this.container().fn === undefined) {
          this.errorf(stmt.forPos, 'for loop not within a function');
        }
        this.expr(stmt.x);
        this.assign(stmt.vars, false);
        this.loops++;
        this.stmts(stmt.body);
        this.loops--;
        break;
      case 'WhileStmt':
        if (!this.dialect.while) this.errorf(stmt.whilePos, `${DOESNT}support while loops`);
        if (!this.dialect.topLevelControl && this.container().fn === undefined) {
          this.errorf(stmt.whilePos, 'while loop not within a function');
        }
        this.expr(stmt.cond);
        this.loops++;
        this.stmts(stmt.body);
        this.loops--;
        break;
      case 'ReturnStmt':
        if (this.container().fn === undefined) this.errorf(stmt.returnPos, 'return statement not within a function');
        if (stmt.result !== undefined) this.expr(stmt.result);
        break;
      case 'LoadStmt':
        if (this.container().fn !== undefined) this.errorf(stmt.load, 'load statement within a function');
        else if (this.loops > 0) this.errorf(stmt.load, 'load statement within a loop');
        else if (this.ifstmts > 0) this.errorf(stmt.load, 'load statement within a conditional');
        stmt.from.forEach((from, i) => {
          if (from.name === '') {
            this.errorf(from.pos, 'load: empty identifier');
            return;
          }
          if (from.name[0] === '_') this.errorf(from.pos, `load: names with leading underscores are not exported: ${from.name}`);
          const id = stmt.to[i];
          if (this.dialect.loadBindsGlobally) {
            this.bind(id);
          } else if (this.bindLocal(id) && !this.dialect.globalReassign) {
            this.errorf(id.pos, `cannot reassign top-level ${id.name}`);
          }
        });
        break;
    }
  }

  assign(lhs: Expr, isAugmented: boolean): void {
    switch (lhs.kind) {
      case 'Ident':
        this.bind(lhs);
        return;
      case 'IndexExpr':
        this.expr(lhs.x);
        this.expr(lhs.y);
        return;
      case 'DotExpr':
        this.expr(lhs.x);
        return;
      case 'TupleExpr':
        if (isAugmented) this.errorf(startOf(lhs), "can't use tuple expression in augmented assignment");
        for (const elem of lhs.list) this.assign(elem, isAugmented);
        return;
      case 'ListExpr':
        if (isAugmented) this.errorf(startOf(lhs), "can't use list expression in augmented assignment");
        for (const elem of lhs.list) this.assign(elem, isAugmented);
        return;
      case 'ParenExpr':
        this.assign(lhs.x, isAugmented);
        return;
      default:
        this.errorf(startOf(lhs), `can't assign to ${nodeTypeName(lhs)}`);
    }
  }

  expr(e: Expr): void {
    switch (e.kind) {
      case 'Ident':
        this.use(e);
        return;
      case 'Literal':
        return;
      case 'ListExpr':
      case 'TupleExpr':
        for (const x of e.list) this.expr(x);
        return;
      case 'CondExpr':
        this.expr(e.cond);
        this.expr(e.t);
        this.expr(e.f);
        return;
      case 'IndexExpr':
        this.expr(e.x);
        this.expr(e.y);
        return;
      case 'SliceExpr':
        this.expr(e.x);
        if (e.lo !== undefined) this.expr(e.lo);
        if (e.hi !== undefined) this.expr(e.hi);
        if (e.step !== undefined) this.expr(e.step);
        return;
      case 'Comprehension': {
        const first = e.clauses[0];
        if (first.kind === 'ForClause') this.expr(first.x);
        this.push(newBlock(undefined, e));
        if (first.kind === 'ForClause') this.assign(first.vars, false);
        for (const clause of e.clauses.slice(1)) {
          if (clause.kind === 'IfClause') {
            this.expr(clause.cond);
          } else {
            this.assign(clause.vars, false);
            this.expr(clause.x);
          }
        }
        if (e.body.kind === 'DictEntry') {
          this.expr(e.body.key);
          this.expr(e.body.value);
        } else {
          this.expr(e.body);
        }
        this.pop();
        return;
      }
      case 'DictExpr':
        for (const entry of e.list) {
          this.expr(entry.key);
          this.expr(entry.value);
        }
        return;
      case 'UnaryExpr':
        if (e.x !== undefined) this.expr(e.x);
        return;
      case 'BinaryExpr':
        this.expr(e.x);
        this.expr(e.y);
        return;
      case 'DotExpr':
        this.expr(e.x);
        return;
      case 'CallExpr':
        this.call(e.fn, e.args);
        return;
      case 'LambdaExpr': {
        const fn = this.newFunction('lambda', e.lambda, e.params, [{ kind: 'ReturnStmt', returnPos: 0, result: e.body }]);
        e.scope = fn;
        this.function(fn);
        return;
      }
      case 'ParenExpr':
        this.expr(e.x);
        return;
    }
  }

  call(fn: Expr, args: Expr[]): void {
    this.expr(fn);
    let seenVarargs = false;
    let seenKwargs = false;
    const seenName = new Set<string>();
    let n = 0;
    let p = 0;
    for (const arg of args) {
      const pos = startOf(arg);
      if (arg.kind === 'UnaryExpr' && arg.op === Tok.STARSTAR) {
        if (seenKwargs) this.errorf(pos, 'multiple **kwargs not allowed');
        seenKwargs = true;
        this.expr(arg);
      } else if (arg.kind === 'UnaryExpr' && arg.op === Tok.STAR) {
        if (seenKwargs) this.errorf(pos, '*args may not follow **kwargs');
        else if (seenVarargs) this.errorf(pos, 'multiple *args not allowed');
        seenVarargs = true;
        this.expr(arg);
      } else if (arg.kind === 'BinaryExpr' && arg.op === Tok.EQ) {
        n++;
        if (seenKwargs) this.errorf(pos, 'keyword argument may not follow **kwargs');
        else if (seenVarargs) this.errorf(pos, 'keyword argument may not follow *args');
        const x = arg.x as Ident;
        if (seenName.has(x.name)) this.errorf(x.pos, `keyword argument ${goQuote(x.name)} is repeated`);
        else seenName.add(x.name);
        this.expr(arg.y);
      } else {
        p++;
        if (seenVarargs) this.errorf(pos, 'positional argument may not follow *args');
        else if (seenKwargs) this.errorf(pos, 'positional argument may not follow **kwargs');
        else if (seenName.size > 0) this.errorf(pos, 'positional argument may not follow named');
        this.expr(arg);
      }
    }
    const start = startOf(fn);
    if (p >= 256) this.errorf(start, `${p} positional arguments in call, limit is 255`);
    if (n >= 256) this.errorf(start, `${n} keyword arguments in call, limit is 255`);
  }

  newFunction(name: string, pos: Pos, params: Expr[], body: Stmt[]): FunctionScope {
    return { name, pos, params, body, hasVarargs: false, hasKwargs: false, numKwonlyParams: 0, locals: [], freeVars: [] };
  }

  function(fn: FunctionScope): void {
    for (const param of fn.params) {
      if (param.kind === 'BinaryExpr') this.expr(param.y);
    }
    const b = newBlock(fn);
    this.push(b);
    // A loop around the definition does not enclose the body: break there is an error.
    const outerLoops = this.loops;
    this.loops = 0;
    let seenOptional = false;
    let star: Expr | undefined;
    let starStar: Ident | undefined;
    let numKwonly = 0;
    for (const param of fn.params) {
      if (param.kind === 'Ident') {
        if (starStar !== undefined) this.errorf(param.pos, `required parameter may not follow **${starStar.name}`);
        else if (star !== undefined) numKwonly++;
        else if (seenOptional) this.errorf(param.pos, 'required parameter may not follow optional');
        if (this.bind(param)) this.errorf(param.pos, `duplicate parameter: ${param.name}`);
      } else if (param.kind === 'BinaryExpr') {
        if (starStar !== undefined) this.errorf(param.opPos, `optional parameter may not follow **${starStar.name}`);
        else if (star !== undefined) numKwonly++;
        const id = param.x as Ident;
        if (this.bind(id)) this.errorf(param.opPos, `duplicate parameter: ${id.name}`);
        seenOptional = true;
      } else if (param.kind === 'UnaryExpr') {
        if (param.op === Tok.STAR) {
          if (starStar !== undefined) this.errorf(param.opPos, `* parameter may not follow **${starStar.name}`);
          else if (star !== undefined) this.errorf(param.opPos, 'multiple * parameters not allowed');
          else star = param;
        } else {
          if (starStar !== undefined) this.errorf(param.opPos, 'multiple ** parameters not allowed');
          starStar = param.x as Ident;
        }
      }
    }
    if (star !== undefined && star.kind === 'UnaryExpr') {
      const id = star.x;
      if (id !== undefined && id.kind === 'Ident') {
        if (this.bind(id)) this.errorf(id.pos, `duplicate parameter: ${id.name}`);
        fn.hasVarargs = true;
      } else if (numKwonly === 0) {
        this.errorf(star.opPos, 'bare * must be followed by keyword-only parameters');
      }
    }
    if (starStar !== undefined) {
      if (this.bind(starStar)) this.errorf(starStar.pos, `duplicate parameter: ${starStar.name}`);
      fn.hasKwargs = true;
    }
    fn.numKwonlyParams = numKwonly;
    this.stmts(fn.body);
    resolveLocalUses(b);
    this.pop();
    this.loops = outerLoops;
  }

  resolveNonLocalUses(b: Block): void {
    for (const child of b.children) this.resolveNonLocalUses(child);
    for (const use of b.uses) use.id.binding = this.lookupLexical(use, use.env);
  }

  lookupLexical(use: Use, env: Block): Binding {
    if (env === this.file) return this.useToplevel(use);
    let bind = env.bindings.get(use.id.name);
    if (bind === undefined) {
      bind = this.lookupLexical(use, env.parent as Block);
      if (env.fn !== undefined && (bind.scope === Scope.Local || bind.scope === Scope.Free || bind.scope === Scope.Cell)) {
        if (bind.scope === Scope.Local) bind.scope = Scope.Cell;
        const index = env.fn.freeVars.length;
        env.fn.freeVars.push(bind);
        bind = { scope: Scope.Free, index, first: bind.first };
      }
      env.bindings.set(use.id.name, bind);
    }
    return bind;
  }
}

function lookupLocal(use: Use): Binding | undefined {
  for (let env: Block | undefined = use.env; env !== undefined; env = env.parent) {
    const bind = env.bindings.get(use.id.name);
    if (bind !== undefined) return bind;
    if (env.fn !== undefined) break;
  }
  return undefined;
}

function resolveLocalUses(b: Block): void {
  const unresolved: Use[] = [];
  for (const use of b.uses) {
    const bind = lookupLocal(use);
    if (bind !== undefined && (bind.scope === Scope.Local || bind.scope === Scope.Cell)) {
      use.id.binding = bind;
    } else {
      unresolved.push(use);
    }
  }
  b.uses = unresolved;
}

export interface ResolveResult {
  module: ModuleScope;
  errors: SourceError[];
}

/** Resolves a parsed file, annotating its identifiers. Reports every static error. */
export function resolveFile(file: FileSyntax, dialect: DialectOptions, names: ResolveEnv): ResolveResult {
  const r = new Resolver(file.filename, dialect, names);
  r.stmts(file.stmts);
  resolveLocalUses(r.file);
  r.resolveNonLocalUses(r.file);
  return { module: { locals: r.moduleLocals, globals: r.moduleGlobals }, errors: r.errors };
}
