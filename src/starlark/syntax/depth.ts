// Bounds on how deeply a program may nest. starlark-go has none (Go stacks grow), but every
// phase here recurses over the tree on Node's fixed stack, so a pathological file (thousands
// of nested brackets, or a 20,000-term sum) must be a syntax error rather than a crash.

import type { DictEntry, Expr, ForClause, IfClause, Stmt } from './ast.js';
import { startOf } from './ast.js';
import type { Pos } from './position.js';

/** Nested brackets, calls, unary operators, lambdas and blocks the parser accepts. */
export const MAX_NESTING = 100;

/** Depth of any expression tree (chains of operators, indexes and calls count one per link). */
export const MAX_EXPRESSION_DEPTH = 1000;

type Node = Expr | Stmt | DictEntry | ForClause | IfClause;

function children(n: Node): (Node | undefined)[] {
  switch (n.kind) {
    case 'Ident':
    case 'Literal':
    case 'BranchStmt':
      return [];
    case 'ParenExpr':
      return [n.x];
    case 'CallExpr':
      return [n.fn, ...n.args];
    case 'DotExpr':
      return [n.x];
    case 'Comprehension':
      return [n.body, ...n.clauses];
    case 'ForClause':
      return [n.vars, n.x];
    case 'IfClause':
      return [n.cond];
    case 'DictExpr':
      return n.list;
    case 'DictEntry':
      return [n.key, n.value];
    case 'LambdaExpr':
      return [...n.params, n.body];
    case 'ListExpr':
    case 'TupleExpr':
      return n.list;
    case 'CondExpr':
      return [n.cond, n.t, n.f];
    case 'UnaryExpr':
      return [n.x];
    case 'BinaryExpr':
      return [n.x, n.y];
    case 'SliceExpr':
      return [n.x, n.lo, n.hi, n.step];
    case 'IndexExpr':
      return [n.x, n.y];
    case 'AssignStmt':
      return [n.lhs, n.rhs];
    case 'DefStmt':
      return [...n.params, ...n.body];
    case 'ExprStmt':
      return [n.x];
    case 'IfStmt':
      return [n.cond, ...n.t, ...n.f];
    case 'LoadStmt':
      return [];
    case 'ReturnStmt':
      return [n.result];
    case 'ForStmt':
      return [n.vars, n.x, ...n.body];
    case 'WhileStmt':
      return [n.cond, ...n.body];
  }
}

function positionOf(n: Node): Pos {
  switch (n.kind) {
    case 'ForClause':
      return n.forPos;
    case 'IfClause':
      return n.ifPos;
    case 'AssignStmt':
      return startOf(n.lhs);
    case 'DefStmt':
      return n.def;
    case 'ExprStmt':
      return startOf(n.x);
    case 'IfStmt':
      return n.ifPos;
    case 'LoadStmt':
      return n.load;
    case 'ReturnStmt':
      return n.returnPos;
    case 'ForStmt':
      return n.forPos;
    case 'WhileStmt':
      return n.whilePos;
    case 'BranchStmt':
      return n.pos;
    default:
      return startOf(n);
  }
}

/** The position of a node nested deeper than the limit, found without recursion; or undefined. */
export function tooDeep(stmts: Stmt[]): Pos | undefined {
  const stack: [Node, number][] = stmts.map((s) => [s, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_EXPRESSION_DEPTH) return positionOf(node);
    for (const child of children(node)) if (child !== undefined) stack.push([child, depth + 1]);
  }
  return undefined;
}
