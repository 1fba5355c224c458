import jsep from 'jsep';
import { ExprFault, type Span } from './errors.js';
import { scanNumber, scanQuotedString, scanRawString } from './literals.js';

// expr-lang's grammar as a jsep dialect: jsep's precedence-climbing core and token reader, with
// expr-lang's operator table, its literals and comments, predicate closures (`#`, `.field`), the
// ternary, and a source span on every node. jsep keeps its configuration in static fields shared
// by the whole process, so `parseWithJsep` installs this dialect only for the duration of one
// (synchronous) parse and restores whatever was there before: other jsep users are unaffected.

/** A node of jsep's tree, with the span this dialect adds. */
export interface JsepNode {
  type: string;
  start: number;
  end: number;
  /** Set on a node written in parentheses: the span including them. */
  outer?: Span;
  [key: string]: unknown;
}

/** A binary operator as it appeared in the source; `not in` and friends are one operator. */
export interface OperatorToken extends Span {
  operator: string;
}

export interface JsepParse {
  root: JsepNode;
  operators: OperatorToken[];
}

const OPERATOR_PRECEDENCE: Readonly<Record<string, number>> = {
  or: 1, '||': 1,
  and: 2, '&&': 2,
  '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  in: 3, matches: 3, contains: 3, startsWith: 3, endsWith: 3,
  'not in': 3, 'not matches': 3, 'not contains': 3, 'not startsWith': 3, 'not endsWith': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5,
};

const WORD_OPERATORS = new Set(['or', 'and', 'in', 'matches', 'contains', 'startsWith', 'endsWith']);
const NEGATABLE_OPERATORS = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const SYMBOL_OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%'];
/** Words that are operators and so cannot stand where an operand is expected. */
export const OPERATOR_WORDS = new Set([...WORD_OPERATORS, 'not']);

/** expr-lang operators Ferry does not implement, with what to write instead. */
const UNSUPPORTED_OPERATORS: ReadonlyArray<readonly [string, string]> = [
  ['??', 'the "??" operator is not supported'],
  ['?.', 'optional chaining "?." is not supported'],
  ['**', 'the "**" operator is not supported'],
  ['..', 'ranges "a..b" are not supported'],
  ['===', '"===" is not an operator; use "=="'],
  ['!==', '"!==" is not an operator; use "!="'],
  ['|', 'the pipe operator "|" is not supported'],
  ['^', 'the "^" operator is not supported'],
  ['&', '"&" is not an operator; use "and" or "&&"'],
  ['=', '"=" is not an operator; use "==" to compare'],
];

const CODE = {
  tab: 9, lf: 10, cr: 13, space: 32, dquote: 34, hash: 35, squote: 39, oparen: 40, cparen: 41,
  star: 42, comma: 44, period: 46, slash: 47, colon: 58, qmark: 63, obrack: 91, cbrack: 93, backtick: 96,
} as const;

interface HookEnv {
  node?: JsepNode | false;
}

type Hook = (this: FerryJsepParser, env: HookEnv) => void;

interface JsepHooks {
  add(name: string, callback: Hook): void;
}

interface JsepBase {
  expr: string;
  index: number;
  readonly code: number;
  readonly char: string;
  parse(): JsepNode;
  gobbleSpaces(): void;
  gobbleExpression(): JsepNode | false | undefined;
  gobbleToken(): JsepNode | false | undefined;
  gobbleTokenProperty(node: JsepNode): JsepNode;
  gobbleBinaryOp(): string | false;
  gobbleBinaryExpression(): JsepNode | false | undefined;
  gobbleIdentifier(): JsepNode;
  gobbleArguments(termination: number): JsepNode[];
  gobbleGroup(): JsepNode | false;
  throwError(message: string): never;
}

interface JsepStatics {
  new (source: string): JsepBase;
  hooks: JsepHooks;
  unary_ops: Record<string, number>;
  max_unop_len: number;
  binary_ops: Record<string, number>;
  max_binop_len: number;
  right_associative: Set<string>;
  additional_identifier_chars: Set<string>;
  literals: Record<string, unknown>;
  this_str: string;
  isIdentifierStart(code: number): boolean;
  isIdentifierPart(code: number): boolean;
  isDecimalDigit(code: number): boolean;
}

const Jsep = (jsep as unknown as { Jsep: JsepStatics }).Jsep;

const isSpace = (code: number): boolean =>
  code === CODE.space || code === CODE.tab || code === CODE.lf || code === CODE.cr;

class FerryJsepParser extends Jsep {
  /** Every binary operator read, in source order; the tree builder finds each node's operator here. */
  readonly operators: OperatorToken[] = [];
  /** End of the last character consumed by a token, so spans never include trailing blanks or comments. */
  lastEnd = 0;
  /** Where the token being read starts (jsep builds keyword literals and arrays without a position). */
  tokenStart = 0;

  fail(message: string, start: number = this.index, end: number = Math.min(start + 1, this.expr.length)): never {
    throw new ExprFault('expr-syntax', message, { start, end });
  }

  /** One expression that uses up the whole source. */
  override parse(): JsepNode {
    this.gobbleSpaces();
    if (this.index >= this.expr.length) this.fail('the expression is empty', 0, 0);
    const root = this.gobbleExpression();
    if (!root) this.failUnexpected('an expression');
    if (this.index < this.expr.length) this.failUnexpected('an operator or the end of the expression');
    return root;
  }

  /** Reports what stands at the current position when something else was expected. */
  failUnexpected(expected: string): never {
    const at = this.index;
    if (at >= this.expr.length) this.fail(`the expression ends too early: expected ${expected}`, at, at);
    for (const [text, message] of UNSUPPORTED_OPERATORS) {
      if (this.expr.startsWith(text, at)) this.fail(message, at, at + text.length);
    }
    if (Jsep.isIdentifierStart(this.code)) {
      let end = at;
      while (end < this.expr.length && Jsep.isIdentifierPart(this.expr.charCodeAt(end))) end++;
      const word = this.expr.slice(at, end);
      const operator = closestOperatorWord(word);
      if (operator !== undefined && !OPERATOR_WORDS.has(word)) {
        this.fail(`unknown operator "${word}" (did you mean "${operator}"?)`, at, end);
      }
      this.fail(`expected ${expected}, found "${word}"`, at, end);
    }
    if (this.code === CODE.squote || this.code === CODE.dquote || this.code === CODE.backtick) {
      const string = this.code === CODE.backtick ? scanRawString(this.expr, at) : scanQuotedString(this.expr, at);
      this.fail(`expected ${expected}, found a string`, at, string.end);
    }
    this.fail(`expected ${expected}, found "${this.char}"`, at);
  }

  override gobbleToken(): JsepNode | false | undefined {
    this.gobbleSpaces();
    const start = this.index;
    const enclosing = this.tokenStart;
    this.tokenStart = start;
    let node: JsepNode | false | undefined;
    try {
      node = super.gobbleToken();
    } finally {
      this.tokenStart = enclosing;
    }
    if (!node) return node;
    if (node.type === 'Identifier' && OPERATOR_WORDS.has(node.name as string)) {
      this.fail(`expected an expression, found the operator "${node.name as string}"`, node.start, node.end);
    }
    if (node.start === undefined) {
      node.start = start;
      node.end = this.lastEnd;
    }
    return node;
  }

  /** jsep builds binary nodes without positions; each spans from its left operand to its right. */
  override gobbleBinaryExpression(): JsepNode | false | undefined {
    const node = super.gobbleBinaryExpression();
    if (node) spanBinaries(node);
    return node;
  }

  override gobbleIdentifier(): JsepNode {
    const start = this.index;
    if (!Jsep.isIdentifierStart(this.code)) this.failUnexpected('a name');
    const node = super.gobbleIdentifier();
    node.start = start;
    node.end = this.index;
    this.lastEnd = this.index;
    return node;
  }

  override gobbleGroup(): JsepNode {
    const open = this.index;
    this.index++;
    const node = this.gobbleExpression();
    if (!node) this.failUnexpected('an expression');
    if (this.index >= this.expr.length) this.fail('this "(" is never closed', open);
    if (this.code !== CODE.cparen) this.failUnexpected('")"');
    this.index++;
    this.lastEnd = this.index;
    node.outer = { start: open, end: this.index };
    return node;
  }

  /** Comma-separated expressions up to `termination`; a trailing comma is allowed, as in expr-lang. */
  override gobbleArguments(termination: number): JsepNode[] {
    const closing = String.fromCharCode(termination);
    const args: JsepNode[] = [];
    for (;;) {
      this.gobbleSpaces();
      if (this.code === termination) break;
      if (args.length > 0) {
        if (this.code !== CODE.comma) this.failUnexpected(`"," or "${closing}"`);
        this.index++;
        this.gobbleSpaces();
        if (this.code === termination) break;
      }
      if (this.index >= this.expr.length) this.failUnexpected(`"${closing}"`);
      const node = this.gobbleExpression();
      if (!node) this.failUnexpected('an expression');
      args.push(node);
    }
    this.index++;
    this.lastEnd = this.index;
    return args;
  }

  /** Member access, indexing and calls after a token, each with its span. */
  override gobbleTokenProperty(node: JsepNode): JsepNode {
    if (node.start === undefined) {
      node.start = this.tokenStart;
      node.end = this.lastEnd;
    }
    const start = outerSpan(node).start;
    this.gobbleSpaces();
    for (;;) {
      const code = this.code;
      if (code === CODE.period) {
        if (this.expr.charCodeAt(this.index + 1) === CODE.period) this.fail('ranges "a..b" are not supported', this.index, this.index + 2);
        this.index++;
        this.gobbleSpaces();
        const property = this.gobbleIdentifier();
        node = { type: 'MemberExpression', computed: false, object: node, property, start, end: property.end };
      } else if (code === CODE.obrack) {
        this.index++;
        const property = this.gobbleExpression();
        if (!property) this.failUnexpected('an index');
        if (this.code === CODE.colon) this.fail('slices like list[1:3] are not supported');
        if (this.code !== CODE.cbrack) this.failUnexpected('"]"');
        this.index++;
        this.lastEnd = this.index;
        node = { type: 'MemberExpression', computed: true, object: node, property, start, end: this.index };
      } else if (code === CODE.oparen) {
        this.index++;
        const args = this.gobbleArguments(CODE.cparen);
        node = { type: 'CallExpression', callee: node, arguments: args, start, end: this.index };
      } else if (code === CODE.qmark && this.expr.charCodeAt(this.index + 1) === CODE.period) {
        this.fail('optional chaining "?." is not supported', this.index, this.index + 2);
      } else {
        return node;
      }
      this.gobbleSpaces();
    }
  }

  /** expr-lang's operators: symbols, words (`and`, `matches`, …) and `not <word>` pairs. */
  override gobbleBinaryOp(): string | false {
    this.gobbleSpaces();
    const start = this.index;
    if (Jsep.isIdentifierStart(this.code)) {
      const word = this.wordAt(start);
      if (word === 'not') {
        let next = start + 3;
        while (isSpace(this.expr.charCodeAt(next))) next++;
        const negated = this.wordAt(next);
        if (!NEGATABLE_OPERATORS.has(negated)) return false;
        return this.takeOperator(`not ${negated}`, start, next + negated.length);
      }
      return WORD_OPERATORS.has(word) ? this.takeOperator(word, start, start + word.length) : false;
    }
    for (const symbol of SYMBOL_OPERATORS) {
      if (!this.expr.startsWith(symbol, start)) continue;
      // `a === b`, `a ** b` and `a .. b` read as an unsupported operator, not as `==` then junk.
      if (UNSUPPORTED_OPERATORS.some(([text]) => text.length > symbol.length && this.expr.startsWith(text, start))) return false;
      return this.takeOperator(symbol, start, start + symbol.length);
    }
    return false;
  }

  wordAt(start: number): string {
    let end = start;
    while (end < this.expr.length && Jsep.isIdentifierPart(this.expr.charCodeAt(end))) end++;
    return this.expr.slice(start, end);
  }

  takeOperator(operator: string, start: number, end: number): string {
    this.index = end;
    this.operators.push({ operator, start, end });
    return operator;
  }
}

function spanBinaries(node: JsepNode): void {
  if (node.type !== 'BinaryExpression' || node.start !== undefined) return;
  const left = node.left as JsepNode;
  const right = node.right as JsepNode;
  spanBinaries(left);
  spanBinaries(right);
  node.start = outerSpan(left).start;
  node.end = outerSpan(right).end;
}

/** The span of a node including the parentheses written around it. */
export function outerSpan(node: JsepNode): Span {
  return node.outer ?? node;
}

function closestOperatorWord(word: string): string | undefined {
  const lower = word.toLowerCase();
  for (const operator of [...WORD_OPERATORS, 'not']) {
    if (operator.toLowerCase() === lower) return operator;
  }
  const typos: Record<string, string> = { match: 'matches', matchs: 'matches', contain: 'contains', startswith: 'startsWith', endswith: 'endsWith', startWith: 'startsWith', endWith: 'endsWith' };
  return typos[word] ?? typos[lower];
}

/** Line and block comments, as expr-lang allows (`// …`, `/* … *\/`). */
const skipComments: Hook = function (this: FerryJsepParser) {
  for (;;) {
    if (this.code !== CODE.slash) return;
    const next = this.expr.charCodeAt(this.index + 1);
    if (next === CODE.slash) {
      const newline = this.expr.indexOf('\n', this.index);
      this.index = newline < 0 ? this.expr.length : newline;
    } else if (next === CODE.star) {
      const close = this.expr.indexOf('*/', this.index + 2);
      if (close < 0) this.fail('the comment starting here is never closed (missing */)', this.index, this.expr.length);
      this.index = close + 2;
    } else {
      return;
    }
    while (isSpace(this.code)) this.index++;
  }
};

/** Strings, numbers, `#` and the `.field` shorthand of predicates. */
const readToken: Hook = function (this: FerryJsepParser, env) {
  const code = this.code;
  const start = this.index;
  let node: JsepNode;
  if (code === CODE.squote || code === CODE.dquote || code === CODE.backtick) {
    const scanned = code === CODE.backtick ? scanRawString(this.expr, start) : scanQuotedString(this.expr, start);
    node = { type: 'Literal', value: scanned.value, raw: this.expr.slice(start, scanned.end), start, end: scanned.end };
    this.index = scanned.end;
  } else if (Jsep.isDecimalDigit(code) || (code === CODE.period && Jsep.isDecimalDigit(this.expr.charCodeAt(start + 1)))) {
    const scanned = scanNumber(this.expr, start);
    node = { type: 'Literal', value: scanned.value, numberType: scanned.numberType, raw: this.expr.slice(start, scanned.end), start, end: scanned.end };
    this.index = scanned.end;
  } else if (code === CODE.hash) {
    this.index++;
    if (Jsep.isIdentifierStart(this.code)) {
      const name = this.wordAt(this.index);
      this.fail(`"#${name}" is not supported; use "#" for the current element`, start, this.index + name.length);
    }
    node = { type: 'Pointer', start, end: this.index };
  } else if (code === CODE.period) {
    if (!Jsep.isIdentifierStart(this.expr.charCodeAt(start + 1))) this.fail('expected a field name after "."', start, start + 1);
    // `.name` is `#.name`: a zero-width pointer that the member access below attaches to.
    node = { type: 'Pointer', implicit: true, start, end: start };
  } else {
    return;
  }
  this.lastEnd = node.end;
  env.node = this.gobbleTokenProperty(node);
};

/** `test ? consequent : alternate`, the loosest construct, right-associative. */
const readConditional: Hook = function (this: FerryJsepParser, env) {
  const test = env.node;
  if (!test || this.code !== CODE.qmark) return;
  const mark = this.index;
  if (this.expr.charCodeAt(mark + 1) === CODE.qmark) this.fail('the "??" operator is not supported', mark, mark + 2);
  this.index++;
  this.gobbleSpaces();
  if (this.expr.charCodeAt(this.index) === CODE.colon) this.fail('the "?:" shorthand is not supported; write "a ? b : c"', mark, this.index + 1);
  const consequent = this.gobbleExpression();
  if (!consequent) this.failUnexpected('an expression after "?"');
  if (this.expr.charCodeAt(this.index) !== CODE.colon) this.failUnexpected('":" of the "? :" conditional');
  this.index++;
  const alternate = this.gobbleExpression();
  if (!alternate) this.failUnexpected('an expression after ":"');
  env.node = {
    type: 'ConditionalExpression',
    test,
    consequent,
    alternate,
    start: outerSpan(test).start,
    end: outerSpan(alternate).end,
  };
};

const DIALECT = (() => {
  const hooks = new (Jsep.hooks.constructor as new () => JsepHooks)();
  hooks.add('gobble-spaces', skipComments);
  hooks.add('gobble-token', readToken);
  hooks.add('after-expression', readConditional);
  return {
    hooks,
    unary_ops: { '-': 1, '+': 1, '!': 1, not: 1 },
    max_unop_len: 3,
    binary_ops: { ...OPERATOR_PRECEDENCE },
    max_binop_len: Math.max(...Object.keys(OPERATOR_PRECEDENCE).map((op) => op.length)),
    right_associative: new Set<string>(),
    additional_identifier_chars: new Set(['$', '_']),
    literals: { true: true, false: false, nil: null },
    // jsep turns the identifier `this` into a ThisExpression; no identifier can equal this string.
    this_str: '\u0000',
  };
})();

type DialectKey = keyof typeof DIALECT;

/** Parses `source` with the expr-lang dialect. Throws `ExprFault` for syntax errors. */
export function parseWithJsep(source: string): JsepParse {
  const saved = new Map<DialectKey, unknown>();
  const statics = Jsep as unknown as Record<DialectKey, unknown>;
  for (const key of Object.keys(DIALECT) as DialectKey[]) {
    saved.set(key, statics[key]);
    statics[key] = DIALECT[key];
  }
  try {
    const parser = new FerryJsepParser(source);
    const root = parser.parse();
    return { root, operators: parser.operators };
  } catch (error) {
    if (error instanceof ExprFault) throw error;
    // jsep's own errors carry the offset in `index` and the sentence in `description`.
    const jsepError = error as { index?: unknown; description?: unknown };
    if (typeof jsepError.index === 'number' && typeof jsepError.description === 'string') {
      const at = Math.min(jsepError.index, source.length);
      throw new ExprFault('expr-syntax', describeJsepError(jsepError.description), { start: at, end: Math.min(at + 1, source.length) });
    }
    throw error;
  } finally {
    for (const [key, value] of saved) statics[key] = value;
  }
}

function describeJsepError(description: string): string {
  const after = /^Expected expression after (.+)$/.exec(description);
  if (after) return `expected an expression after "${after[1]}"`;
  if (description === 'missing unaryOp argument') return 'expected an expression after the operator';
  return description.charAt(0).toLowerCase() + description.slice(1);
}
