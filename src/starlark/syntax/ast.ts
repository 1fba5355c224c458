// The syntax tree. Node shapes and position fields follow starlark-go's syntax package so that
// error positions (which the conformance files check) come out the same.

import type { Pos } from './position.js';
import { Tok } from './tokens.js';
import type { Binding, FunctionScope } from '../resolve/binding.js';

export interface Ident {
  kind: 'Ident';
  pos: Pos;
  name: string;
  binding?: Binding;
}

export interface Literal {
  kind: 'Literal';
  tok: Tok.INT | Tok.FLOAT | Tok.STRING | Tok.BYTES;
  pos: Pos;
  raw: string;
  /** int: number | bigint; float: number; string and bytes: byte string */
  value: number | bigint | string;
  /** End position (start advanced over the raw text). */
  end: Pos;
}

export interface ParenExpr {
  kind: 'ParenExpr';
  lparen: Pos;
  x: Expr;
  rparen: Pos;
}

export interface CallExpr {
  kind: 'CallExpr';
  fn: Expr;
  lparen: Pos;
  args: Expr[];
  rparen: Pos;
}

export interface DotExpr {
  kind: 'DotExpr';
  x: Expr;
  dot: Pos;
  name: Ident;
}

export interface ForClause {
  kind: 'ForClause';
  forPos: Pos;
  vars: Expr;
  inPos: Pos;
  x: Expr;
}

export interface IfClause {
  kind: 'IfClause';
  ifPos: Pos;
  cond: Expr;
}

export interface Comprehension {
  kind: 'Comprehension';
  curly: boolean;
  lbrack: Pos;
  body: Expr | DictEntry;
  clauses: (ForClause | IfClause)[];
  rbrack: Pos;
}

export interface DictEntry {
  kind: 'DictEntry';
  key: Expr;
  colon: Pos;
  value: Expr;
}

export interface DictExpr {
  kind: 'DictExpr';
  lbrace: Pos;
  list: DictEntry[];
  rbrace: Pos;
}

export interface LambdaExpr {
  kind: 'LambdaExpr';
  lambda: Pos;
  params: Expr[];
  body: Expr;
  scope?: FunctionScope;
}

export interface ListExpr {
  kind: 'ListExpr';
  lbrack: Pos;
  list: Expr[];
  rbrack: Pos;
}

export interface CondExpr {
  kind: 'CondExpr';
  ifPos: Pos;
  cond: Expr;
  t: Expr;
  elsePos: Pos;
  f: Expr;
}

export interface TupleExpr {
  kind: 'TupleExpr';
  /** 0 when the tuple has no parentheses (x, y = 1, 2). */
  lparen: Pos;
  list: Expr[];
  rparen: Pos;
}

export interface UnaryExpr {
  kind: 'UnaryExpr';
  opPos: Pos;
  op: Tok;
  /** Absent only for the bare `*` parameter. */
  x: Expr | undefined;
}

export interface BinaryExpr {
  kind: 'BinaryExpr';
  x: Expr;
  opPos: Pos;
  op: Tok;
  y: Expr;
}

export interface SliceExpr {
  kind: 'SliceExpr';
  x: Expr;
  lbrack: Pos;
  lo: Expr | undefined;
  hi: Expr | undefined;
  step: Expr | undefined;
  rbrack: Pos;
}

export interface IndexExpr {
  kind: 'IndexExpr';
  x: Expr;
  lbrack: Pos;
  y: Expr;
  rbrack: Pos;
}

export type Expr =
  | Ident
  | Literal
  | ParenExpr
  | CallExpr
  | DotExpr
  | Comprehension
  | DictExpr
  | LambdaExpr
  | ListExpr
  | CondExpr
  | TupleExpr
  | UnaryExpr
  | BinaryExpr
  | SliceExpr
  | IndexExpr;

export interface AssignStmt {
  kind: 'AssignStmt';
  opPos: Pos;
  op: Tok;
  lhs: Expr;
  rhs: Expr;
}

export interface DefStmt {
  kind: 'DefStmt';
  def: Pos;
  name: Ident;
  params: Expr[];
  body: Stmt[];
  scope?: FunctionScope;
}

export interface ExprStmt {
  kind: 'ExprStmt';
  x: Expr;
}

export interface IfStmt {
  kind: 'IfStmt';
  ifPos: Pos;
  cond: Expr;
  t: Stmt[];
  f: Stmt[];
}

export interface LoadStmt {
  kind: 'LoadStmt';
  load: Pos;
  module: Literal;
  to: Ident[];
  from: Ident[];
  rparen: Pos;
}

export interface BranchStmt {
  kind: 'BranchStmt';
  tok: Tok.BREAK | Tok.CONTINUE | Tok.PASS;
  pos: Pos;
}

export interface ReturnStmt {
  kind: 'ReturnStmt';
  returnPos: Pos;
  result: Expr | undefined;
}

export interface ForStmt {
  kind: 'ForStmt';
  forPos: Pos;
  vars: Expr;
  x: Expr;
  body: Stmt[];
}

export interface WhileStmt {
  kind: 'WhileStmt';
  whilePos: Pos;
  cond: Expr;
  body: Stmt[];
}

export type Stmt = AssignStmt | DefStmt | ExprStmt | IfStmt | LoadStmt | BranchStmt | ReturnStmt | ForStmt | WhileStmt;

export interface FileSyntax {
  filename: string;
  stmts: Stmt[];
}

/** The start position of an expression (starlark-go's syntax.Start). */
export function startOf(e: Expr | DictEntry): Pos {
  switch (e.kind) {
    case 'Ident':
    case 'Literal':
      return e.pos;
    case 'ParenExpr':
      return e.lparen;
    case 'CallExpr':
    case 'DotExpr':
    case 'BinaryExpr':
    case 'SliceExpr':
    case 'IndexExpr':
      return startOf(e.kind === 'CallExpr' ? e.fn : e.x);
    case 'Comprehension':
      return e.lbrack;
    case 'DictExpr':
      return e.lbrace;
    case 'DictEntry':
      return startOf(e.key);
    case 'LambdaExpr':
      return e.lambda;
    case 'ListExpr':
      return e.lbrack;
    case 'CondExpr':
      return startOf(e.t);
    case 'TupleExpr':
      return e.lparen !== 0 ? e.lparen : startOf(e.list[0]);
    case 'UnaryExpr':
      return e.opPos;
  }
}

/** Lower-cased Go type name of a node, for "can't assign to binaryexpr" and friends. */
export function nodeTypeName(e: Expr): string {
  return e.kind.toLowerCase();
}
