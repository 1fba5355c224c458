// A recursive-descent parser over the scanner's tokens, ported from starlark-go's
// syntax/parse.go so that the first syntax error of a file is the same error, at the same place.

import type {
  AssignStmt,
  BranchStmt,
  CallExpr,
  Comprehension,
  DefStmt,
  DictEntry,
  DictExpr,
  Expr,
  ForClause,
  ForStmt,
  Ident,
  IfClause,
  IfStmt,
  LambdaExpr,
  ListExpr,
  Literal,
  LoadStmt,
  ReturnStmt,
  Stmt,
  WhileStmt,
} from './ast.js';
import { makePos, lineOf, colOf, type Pos } from './position.js';
import { MAX_EXPRESSION_DEPTH, MAX_NESTING, tooDeep } from './depth.js';
import { Scanner, SyntaxFailure, type TokenValue } from './scanner.js';
import { Tok, TOKEN_COUNT, tokenGoString, tokenName } from './tokens.js';
import { runeCount } from '../text/utf8.js';

const PRECEDENCE: Int8Array = (() => {
  const table = new Int8Array(TOKEN_COUNT).fill(-1);
  const levels: Tok[][] = [
    [Tok.OR],
    [Tok.AND],
    [Tok.NOT],
    [Tok.EQL, Tok.NEQ, Tok.LT, Tok.GT, Tok.LE, Tok.GE, Tok.IN, Tok.NOT_IN],
    [Tok.PIPE],
    [Tok.CIRCUMFLEX],
    [Tok.AMP],
    [Tok.LTLT, Tok.GTGT],
    [Tok.MINUS, Tok.PLUS],
    [Tok.STAR, Tok.PERCENT, Tok.SLASH, Tok.SLASHSLASH],
  ];
  levels.forEach((tokens, level) => tokens.forEach((t) => (table[t] = level)));
  return table;
})();
const LEVELS = 10;

function terminatesExprList(tok: Tok): boolean {
  return tok === Tok.EOF || tok === Tok.NEWLINE || tok === Tok.EQ || tok === Tok.RBRACE || tok === Tok.RBRACK || tok === Tok.RPAREN || tok === Tok.SEMI;
}

/** Advances a position over raw text, as Position.add does (columns count runes). */
function advance(pos: Pos, text: string): Pos {
  let line = lineOf(pos);
  let col = colOf(pos);
  const nl = text.lastIndexOf('\n');
  if (nl >= 0) {
    line += text.split('\n').length - 1;
    text = text.slice(nl + 1);
    col = 1;
  }
  col += runeCount(text);
  return makePos(line, col);
}

class Parser {
  private current: Tok = Tok.EOF;
  private nesting = 0;
  readonly val: TokenValue = { raw: '', num: 0, isFloat: false, str: '', pos: 0 };

  constructor(readonly sc: Scanner) {}

  /** The lookahead token (a method, so TypeScript does not narrow it across next()). */
  tok(): Tok {
    return this.current;
  }

  /** Reads the next token and returns the position of the token just consumed. */
  next(): Pos {
    const old = this.val.pos;
    this.current = this.sc.nextToken(this.val);
    return old;
  }

  errorHere(message: string): never {
    this.sc.fail(this.sc.pos, message);
  }

  /** Runs a nested parse, failing beyond MAX_NESTING levels (see depth.ts). */
  nested<T>(parse: () => T): T {
    if (++this.nesting > MAX_NESTING) this.errorHere(`code is nested too deeply (more than ${MAX_NESTING} levels)`);
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  consume(t: Tok): Pos {
    if (this.tok() !== t) this.errorHere(`got ${tokenGoString(this.tok())}, want ${tokenGoString(t)}`);
    return this.next();
  }

  parseFile(): Stmt[] {
    const stmts: Stmt[] = [];
    while (this.tok() !== Tok.EOF) {
      if (this.tok() === Tok.NEWLINE) {
        this.next();
        continue;
      }
      this.parseStmt(stmts);
    }
    return stmts;
  }

  parseStmt(stmts: Stmt[]): void {
    switch (this.tok()) {
      case Tok.DEF:
        stmts.push(this.parseDefStmt());
        return;
      case Tok.IF:
        stmts.push(this.parseIfStmt());
        return;
      case Tok.FOR:
        stmts.push(this.parseForStmt());
        return;
      case Tok.WHILE:
        stmts.push(this.parseWhileStmt());
        return;
    }
    this.parseSimpleStmt(stmts, true);
  }

  parseDefStmt(): DefStmt {
    const def = this.next();
    const name = this.parseIdent();
    this.consume(Tok.LPAREN);
    const params = this.parseParams();
    this.consume(Tok.RPAREN);
    this.consume(Tok.COLON);
    const body = this.parseSuite();
    return { kind: 'DefStmt', def, name, params, body };
  }

  parseIfStmt(): IfStmt {
    const ifPos = this.next();
    const cond = this.parseTest();
    this.consume(Tok.COLON);
    const body = this.parseSuite();
    const ifStmt: IfStmt = { kind: 'IfStmt', ifPos, cond, t: body, f: [] };
    let tail = ifStmt;
    while (this.tok() === Tok.ELIF) {
      const elifPos = this.next();
      const elifCond = this.parseTest();
      this.consume(Tok.COLON);
      const elifBody = this.parseSuite();
      const elif: IfStmt = { kind: 'IfStmt', ifPos: elifPos, cond: elifCond, t: elifBody, f: [] };
      tail.f = [elif];
      tail = elif;
    }
    if (this.tok() === Tok.ELSE) {
      this.next();
      this.consume(Tok.COLON);
      tail.f = this.parseSuite();
    }
    return ifStmt;
  }

  parseForStmt(): ForStmt {
    const forPos = this.next();
    const vars = this.parseForLoopVariables();
    this.consume(Tok.IN);
    const x = this.parseExpr(false);
    this.consume(Tok.COLON);
    const body = this.parseSuite();
    return { kind: 'ForStmt', forPos, vars, x, body };
  }

  parseWhileStmt(): WhileStmt {
    const whilePos = this.next();
    const cond = this.parseTest();
    this.consume(Tok.COLON);
    const body = this.parseSuite();
    return { kind: 'WhileStmt', whilePos, cond, body };
  }

  parseForLoopVariables(): Expr {
    const v = this.parsePrimaryWithSuffix();
    if (this.tok() !== Tok.COMMA) return v;
    const list: Expr[] = [v];
    while (this.tok() === Tok.COMMA) {
      this.next();
      if (terminatesExprList(this.tok())) break;
      list.push(this.parsePrimaryWithSuffix());
    }
    return { kind: 'TupleExpr', lparen: 0, list, rparen: 0 };
  }

  parseSimpleStmt(stmts: Stmt[], consumeNewline: boolean): void {
    for (;;) {
      stmts.push(this.parseSmallStmt());
      if (this.tok() !== Tok.SEMI) break;
      this.next();
      if (this.tok() === Tok.NEWLINE || this.tok() === Tok.EOF) break;
    }
    if (this.tok() !== Tok.EOF && consumeNewline) this.consume(Tok.NEWLINE);
  }

  parseSmallStmt(): Stmt {
    switch (this.tok()) {
      case Tok.RETURN: {
        const returnPos = this.next();
        let result: Expr | undefined;
        if (this.tok() !== Tok.EOF && this.tok() !== Tok.NEWLINE && this.tok() !== Tok.SEMI) result = this.parseExpr(false);
        return { kind: 'ReturnStmt', returnPos, result } satisfies ReturnStmt;
      }
      case Tok.BREAK:
      case Tok.CONTINUE:
      case Tok.PASS: {
        const tok = this.tok() as Tok.BREAK | Tok.CONTINUE | Tok.PASS;
        const pos = this.next();
        return { kind: 'BranchStmt', tok, pos } satisfies BranchStmt;
      }
      case Tok.LOAD:
        return this.parseLoadStmt();
    }
    const x = this.parseExpr(false);
    switch (this.tok()) {
      case Tok.EQ:
      case Tok.PLUS_EQ:
      case Tok.MINUS_EQ:
      case Tok.STAR_EQ:
      case Tok.SLASH_EQ:
      case Tok.SLASHSLASH_EQ:
      case Tok.PERCENT_EQ:
      case Tok.AMP_EQ:
      case Tok.PIPE_EQ:
      case Tok.CIRCUMFLEX_EQ:
      case Tok.LTLT_EQ:
      case Tok.GTGT_EQ: {
        const op = this.tok();
        const opPos = this.next();
        const rhs = this.parseExpr(false);
        return { kind: 'AssignStmt', opPos, op, lhs: x, rhs } satisfies AssignStmt;
      }
    }
    return { kind: 'ExprStmt', x };
  }

  parseLoadStmt(): LoadStmt {
    const load = this.next();
    const lparen = this.consume(Tok.LPAREN);
    if (this.tok() !== Tok.STRING) this.errorHere('first operand of load statement must be a string literal');
    const module = this.parsePrimary() as Literal;
    const from: Ident[] = [];
    const to: Ident[] = [];
    while (this.tok() !== Tok.RPAREN && this.tok() !== Tok.EOF) {
      this.consume(Tok.COMMA);
      if (this.tok() === Tok.RPAREN) break;
      switch (this.tok()) {
        case Tok.STRING: {
          const lit = this.parsePrimary() as Literal;
          const id: Ident = { kind: 'Ident', pos: advance(lit.pos, '"'), name: lit.value as string };
          to.push(id);
          from.push(id);
          break;
        }
        case Tok.IDENT: {
          const id = this.parseIdent();
          to.push(id);
          if (this.tok() !== Tok.EQ) {
            this.errorHere(`load operand must be "${id.name}" or ${id.name}="originalname" (want '=' after ${id.name})`);
          }
          this.consume(Tok.EQ);
          if (this.tok() !== Tok.STRING) this.errorHere(`original name of loaded symbol must be quoted: ${id.name}="originalname"`);
          const lit = this.parsePrimary() as Literal;
          from.push({ kind: 'Ident', pos: advance(lit.pos, '"'), name: lit.value as string });
          break;
        }
        case Tok.RPAREN:
          this.errorHere('trailing comma in load statement');
        // falls through (errorHere never returns)
        default:
          this.errorHere(`load operand must be "name" or localname="name" (got ${tokenGoString(this.tok())})`);
      }
    }
    const rparen = this.consume(Tok.RPAREN);
    if (to.length === 0) this.sc.fail(lparen, 'load statement must import at least 1 symbol');
    return { kind: 'LoadStmt', load, module, to, from, rparen };
  }

  parseSuite(): Stmt[] {
    return this.nested(() => this.parseSuiteUnnested());
  }

  parseSuiteUnnested(): Stmt[] {
    if (this.tok() === Tok.NEWLINE) {
      this.next();
      this.consume(Tok.INDENT);
      const stmts: Stmt[] = [];
      while (this.tok() !== Tok.OUTDENT && this.tok() !== Tok.EOF) this.parseStmt(stmts);
      this.consume(Tok.OUTDENT);
      return stmts;
    }
    const stmts: Stmt[] = [];
    this.parseSimpleStmt(stmts, true);
    return stmts;
  }

  parseIdent(): Ident {
    if (this.tok() !== Tok.IDENT) this.errorHere('not an identifier');
    const id: Ident = { kind: 'Ident', pos: this.val.pos, name: this.val.raw };
    this.next();
    return id;
  }

  parseParams(): Expr[] {
    const params: Expr[] = [];
    while (this.tok() !== Tok.RPAREN && this.tok() !== Tok.COLON && this.tok() !== Tok.EOF) {
      if (params.length > 0) this.consume(Tok.COMMA);
      if (this.tok() === Tok.RPAREN) break;
      if (this.tok() === Tok.STAR || this.tok() === Tok.STARSTAR) {
        const op = this.tok();
        const opPos = this.next();
        let x: Expr | undefined;
        if (op === Tok.STARSTAR || this.tok() === Tok.IDENT) x = this.parseIdent();
        params.push({ kind: 'UnaryExpr', opPos, op, x });
        continue;
      }
      const id = this.parseIdent();
      if (this.tok() === Tok.EQ) {
        const opPos = this.next();
        const dflt = this.parseTest();
        params.push({ kind: 'BinaryExpr', x: id, opPos, op: Tok.EQ, y: dflt });
        continue;
      }
      params.push(id);
    }
    return params;
  }

  parseExpr(inParens: boolean): Expr {
    const x = this.parseTest();
    if (this.tok() !== Tok.COMMA) return x;
    const list = this.parseExprs([x], inParens);
    return { kind: 'TupleExpr', lparen: 0, list, rparen: 0 };
  }

  parseExprs(exprs: Expr[], allowTrailingComma: boolean): Expr[] {
    while (this.tok() === Tok.COMMA) {
      const pos = this.next();
      if (terminatesExprList(this.tok())) {
        if (!allowTrailingComma) this.sc.fail(pos, 'unparenthesized tuple with trailing comma');
        break;
      }
      exprs.push(this.parseTest());
    }
    return exprs;
  }

  parseTest(): Expr {
    return this.nested(() => this.parseTestUnnested());
  }

  parseTestUnnested(): Expr {
    if (this.tok() === Tok.LAMBDA) return this.parseLambda(true);
    const x = this.parseTestPrec(0);
    if (this.tok() === Tok.IF) {
      const ifPos = this.next();
      const cond = this.parseTestPrec(0);
      if (this.tok() !== Tok.ELSE) this.sc.fail(ifPos, 'conditional expression without else clause');
      const elsePos = this.next();
      const f = this.parseTest();
      return { kind: 'CondExpr', ifPos, cond, t: x, elsePos, f };
    }
    return x;
  }

  parseTestNoCond(): Expr {
    if (this.tok() === Tok.LAMBDA) return this.parseLambda(false);
    return this.parseTestPrec(0);
  }

  parseLambda(allowCond: boolean): LambdaExpr {
    const lambda = this.next();
    let params: Expr[] = [];
    if (this.tok() !== Tok.COLON) params = this.parseParams();
    this.consume(Tok.COLON);
    const body = allowCond ? this.parseTest() : this.parseTestNoCond();
    return { kind: 'LambdaExpr', lambda, params, body };
  }

  parseTestPrec(prec: number): Expr {
    if (prec >= LEVELS) return this.parsePrimaryWithSuffix();
    if (this.tok() === Tok.NOT && prec === PRECEDENCE[Tok.NOT]) {
      const opPos = this.next();
      const x = this.nested(() => this.parseTestPrec(prec));
      return { kind: 'UnaryExpr', opPos, op: Tok.NOT, x };
    }
    return this.parseBinopExpr(prec);
  }

  parseBinopExpr(prec: number): Expr {
    let x = this.parseTestPrec(prec + 1);
    for (let first = true; ; first = false) {
      if (this.tok() === Tok.NOT) {
        this.next();
        if (this.tok() !== Tok.IN) this.errorHere(`got ${tokenGoString(this.tok())}, want in`);
        this.current = Tok.NOT_IN;
      }
      const opPrec = PRECEDENCE[this.tok()];
      if (opPrec < prec) return x;
      if (!first && opPrec === PRECEDENCE[Tok.EQL]) {
        const prevOp = x.kind === 'BinaryExpr' ? x.op : Tok.ILLEGAL;
        this.errorHere(`${tokenName(prevOp)} does not associate with ${tokenName(this.tok())} (use parens)`);
      }
      const op = this.tok();
      const opPos = this.next();
      const y = this.parseTestPrec(opPrec + 1);
      x = { kind: 'BinaryExpr', x, opPos, op, y };
    }
  }

  parsePrimaryWithSuffix(): Expr {
    let x = this.parsePrimary();
    for (;;) {
      switch (this.tok()) {
        case Tok.DOT: {
          const dot = this.next();
          const name = this.parseIdent();
          x = { kind: 'DotExpr', x, dot, name };
          break;
        }
        case Tok.LBRACK:
          x = this.parseSliceSuffix(x);
          break;
        case Tok.LPAREN:
          x = this.parseCallSuffix(x);
          break;
        default:
          return x;
      }
    }
  }

  parseSliceSuffix(x: Expr): Expr {
    const lbrack = this.next();
    let lo: Expr | undefined;
    let hi: Expr | undefined;
    let step: Expr | undefined;
    if (this.tok() !== Tok.COLON) {
      const y = this.parseExpr(false);
      if (this.tok() === Tok.RBRACK) {
        const rbrack = this.next();
        return { kind: 'IndexExpr', x, lbrack, y, rbrack };
      }
      lo = y;
    }
    if (this.tok() === Tok.COLON) {
      this.next();
      if (this.tok() !== Tok.COLON && this.tok() !== Tok.RBRACK) hi = this.parseTest();
    }
    if (this.tok() === Tok.COLON) {
      this.next();
      if (this.tok() !== Tok.RBRACK) step = this.parseTest();
    }
    const rbrack = this.consume(Tok.RBRACK);
    return { kind: 'SliceExpr', x, lbrack, lo, hi, step, rbrack };
  }

  parseCallSuffix(fn: Expr): CallExpr {
    const lparen = this.consume(Tok.LPAREN);
    let rparen: Pos;
    let args: Expr[] = [];
    if (this.tok() === Tok.RPAREN) {
      rparen = this.next();
    } else {
      args = this.parseArgs();
      rparen = this.consume(Tok.RPAREN);
    }
    return { kind: 'CallExpr', fn, lparen, args, rparen };
  }

  parseArgs(): Expr[] {
    const args: Expr[] = [];
    while (this.tok() !== Tok.RPAREN && this.tok() !== Tok.EOF) {
      if (args.length > 0) this.consume(Tok.COMMA);
      if (this.tok() === Tok.RPAREN) break;
      if (this.tok() === Tok.STAR || this.tok() === Tok.STARSTAR) {
        const op = this.tok();
        const opPos = this.next();
        const x = this.parseTest();
        args.push({ kind: 'UnaryExpr', opPos, op, x });
        continue;
      }
      let x = this.parseTest();
      if (this.tok() === Tok.EQ) {
        if (x.kind !== 'Ident') this.errorHere('keyword argument must have form name=expr');
        const opPos = this.next();
        const y = this.parseTest();
        x = { kind: 'BinaryExpr', x, opPos, op: Tok.EQ, y };
      }
      args.push(x);
    }
    return args;
  }

  parsePrimary(): Expr {
    switch (this.tok()) {
      case Tok.IDENT:
        return this.parseIdent();
      case Tok.INT:
      case Tok.FLOAT:
      case Tok.STRING:
      case Tok.BYTES: {
        const tok = this.tok() as Literal['tok'];
        const value = tok === Tok.STRING || tok === Tok.BYTES ? this.val.str : this.val.num;
        const raw = this.val.raw;
        const pos = this.next();
        const lit: Literal = { kind: 'Literal', tok, pos, raw, value, end: advance(pos, raw) };
        return lit;
      }
      case Tok.LBRACK:
        return this.parseList();
      case Tok.LBRACE:
        return this.parseDict();
      case Tok.LPAREN: {
        const lparen = this.next();
        if (this.tok() === Tok.RPAREN) {
          const rparen = this.next();
          return { kind: 'TupleExpr', lparen, list: [], rparen };
        }
        const x = this.parseExpr(true);
        const rparen = this.consume(Tok.RPAREN);
        return { kind: 'ParenExpr', lparen, x, rparen };
      }
      case Tok.MINUS:
      case Tok.PLUS:
      case Tok.TILDE: {
        const op = this.tok();
        const opPos = this.next();
        const x = this.nested(() => this.parsePrimaryWithSuffix());
        return { kind: 'UnaryExpr', opPos, op, x };
      }
    }
    // At the start of the offending token, which may be a newline (as starlark-go since 2024).
    this.sc.fail(this.val.pos, `got ${tokenGoString(this.tok())}, want primary expression`);
  }

  parseList(): Expr {
    const lbrack = this.next();
    if (this.tok() === Tok.RBRACK) {
      const rbrack = this.next();
      return { kind: 'ListExpr', lbrack, list: [], rbrack } satisfies ListExpr;
    }
    const x = this.parseTest();
    if (this.tok() === Tok.FOR) return this.parseComprehensionSuffix(lbrack, x, Tok.RBRACK);
    let list = [x];
    if (this.tok() === Tok.COMMA) list = this.parseExprs(list, true);
    const rbrack = this.consume(Tok.RBRACK);
    return { kind: 'ListExpr', lbrack, list, rbrack };
  }

  parseDict(): Expr {
    const lbrace = this.next();
    if (this.tok() === Tok.RBRACE) {
      const rbrace = this.next();
      return { kind: 'DictExpr', lbrace, list: [], rbrace } satisfies DictExpr;
    }
    const x = this.parseDictEntry();
    if (this.tok() === Tok.FOR) return this.parseComprehensionSuffix(lbrace, x, Tok.RBRACE);
    const list = [x];
    while (this.tok() === Tok.COMMA) {
      this.next();
      if (this.tok() === Tok.RBRACE) break;
      list.push(this.parseDictEntry());
    }
    const rbrace = this.consume(Tok.RBRACE);
    return { kind: 'DictExpr', lbrace, list, rbrace };
  }

  parseDictEntry(): DictEntry {
    const key = this.parseTest();
    const colon = this.consume(Tok.COLON);
    const value = this.parseTest();
    return { kind: 'DictEntry', key, colon, value };
  }

  parseComprehensionSuffix(lbrack: Pos, body: Expr | DictEntry, end: Tok.RBRACK | Tok.RBRACE): Comprehension {
    const clauses: (ForClause | IfClause)[] = [];
    while (this.tok() !== end) {
      if (this.tok() === Tok.FOR) {
        const forPos = this.next();
        const vars = this.parseForLoopVariables();
        const inPos = this.consume(Tok.IN);
        const x = this.parseTestPrec(0);
        clauses.push({ kind: 'ForClause', forPos, vars, inPos, x });
      } else if (this.tok() === Tok.IF) {
        const ifPos = this.next();
        const cond = this.parseTestNoCond();
        clauses.push({ kind: 'IfClause', ifPos, cond });
      } else {
        this.errorHere(`got ${tokenGoString(this.tok())}, want '${tokenName(end)}', for, or if`);
      }
    }
    const rbrack = this.next();
    return { kind: 'Comprehension', curly: end === Tok.RBRACE, lbrack, body, clauses, rbrack };
  }
}

export interface ParseResult {
  stmts: Stmt[];
  /** The first syntax error, if any (starlark-go stops at the first one too). */
  error: SyntaxFailure | undefined;
}

/** Parses a whole file (a byte string). Never throws for bad input. */
export function parseFile(src: string): ParseResult {
  const parser = new Parser(new Scanner(src));
  try {
    parser.next();
    const stmts = parser.parseFile();
    const deep = tooDeep(stmts);
    if (deep !== undefined) {
      return { stmts: [], error: new SyntaxFailure(deep, `expression is nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`) };
    }
    return { stmts, error: undefined };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { stmts: [], error: e };
    if (e instanceof RangeError) return { stmts: [], error: new SyntaxFailure(parser.sc.pos, 'code is nested too deeply') };
    throw e;
  }
}

/** Parses a single expression (used by tests and host tools). */
export function parseExpression(src: string): { expr: Expr | undefined; error: SyntaxFailure | undefined } {
  const parser = new Parser(new Scanner(src));
  try {
    parser.next();
    const expr = parser.parseExpr(false);
    if (parser.tok() === Tok.NEWLINE) parser.next();
    if (parser.tok() !== Tok.EOF) parser.errorHere(`got ${tokenGoString(parser.tok())} after expression, want EOF`);
    return { expr, error: undefined };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { expr: undefined, error: e };
    throw e;
  }
}
