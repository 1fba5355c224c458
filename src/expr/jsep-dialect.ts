import jsep from 'jsep';
import { ExprFault, type Span } from './errors.js';
import { scanNumber, scanQuotedString, scanRawString } from './literals.js';

// expr-lang's grammar (parser/parser.go, v1.17) as a jsep dialect: jsep's token reader (names,
// arrays, groups, calls, members) with expr-lang's operator table and precedence climbing —
// unary `not` binding looser than `*`, unary `-` looser than `**` and `??` —, its literals and
// comments, predicate closures (`#`, `.field`, `{ … }` bodies), the ternary and `?:`, `??`, `..`,
// pipes, slices, optional chaining, map literals, `let` and `if … else`, and a source span on every
// node. jsep keeps its configuration in static fields shared by the whole process, so
// `parseWithJsep` installs this dialect only for the duration of one (synchronous) parse and
// restores whatever was there before: other jsep users are unaffected.

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

/** expr-lang's binary operators: precedence, and whether they group to the right. */
const BINARY: Readonly<Record<string, { precedence: number; right?: true }>> = {
  '|': { precedence: 0 },
  or: { precedence: 10 }, '||': { precedence: 10 },
  and: { precedence: 15 }, '&&': { precedence: 15 },
  '==': { precedence: 20 }, '!=': { precedence: 20 }, '<': { precedence: 20 }, '>': { precedence: 20 }, '<=': { precedence: 20 }, '>=': { precedence: 20 },
  in: { precedence: 20 }, matches: { precedence: 20 }, contains: { precedence: 20 }, startsWith: { precedence: 20 }, endsWith: { precedence: 20 },
  '..': { precedence: 25 },
  '+': { precedence: 30 }, '-': { precedence: 30 },
  '*': { precedence: 60 }, '/': { precedence: 60 }, '%': { precedence: 60 },
  '**': { precedence: 100, right: true }, '^': { precedence: 100, right: true },
  '??': { precedence: 500 },
};

/** Unary operators bind looser than some binary ones: `not a * b` is `not (a * b)`, `-a ** b` is `-(a ** b)`. */
const UNARY_PRECEDENCE: Readonly<Record<string, number>> = { not: 50, '!': 50, '-': 90, '+': 90 };

const RELATIONAL = new Set(['<', '>', '<=', '>=']);
const WORD_OPERATORS = new Set(['or', 'and', 'in', 'matches', 'contains', 'startsWith', 'endsWith']);
const NEGATABLE_OPERATORS = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const SYMBOL_OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '??', '..', '**', '<', '>', '+', '-', '*', '/', '%', '^', '|'];
/** Words that are operators or keywords and so cannot stand where an operand is expected. */
export const OPERATOR_WORDS = new Set([...WORD_OPERATORS, 'not', 'let', 'if', 'else']);
const PREDICATES = new Set(['all', 'none', 'any', 'one', 'filter', 'map', 'count', 'sum', 'find', 'findIndex', 'findLast', 'findLastIndex', 'groupBy', 'sortBy', 'reduce']);

/** Near-misses with what to write instead. */
const NOT_OPERATORS: ReadonlyArray<readonly [string, string]> = [
  ['===', '"===" is not an operator; use "=="'],
  ['!==', '"!==" is not an operator; use "!="'],
  ['&', '"&" is not an operator; use "and" or "&&"'],
  ['=', '"=" is not an operator; use "==" to compare'],
];

const CODE = {
  tab: 9, lf: 10, cr: 13, space: 32, bang: 33, dquote: 34, hash: 35, dollar: 36, squote: 39, oparen: 40, cparen: 41,
  star: 42, plus: 43, comma: 44, minus: 45, period: 46, slash: 47, colon: 58, semicolon: 59, equals: 61, qmark: 63,
  obrack: 91, cbrack: 93, backtick: 96, obrace: 123, cbrace: 125,
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

  /** Whether the character at the current position has this code (a method, so that TypeScript does not narrow `code`). */
  at(code: number): boolean {
    return this.code === code;
  }

  fail(message: string, start: number = this.index, end: number = Math.min(start + 1, this.expr.length)): never {
    throw new ExprFault('expr-syntax', message, { start, end });
  }

  /** One expression (or a `;` sequence of them) that uses up the whole source. */
  override parse(): JsepNode {
    this.gobbleSpaces();
    if (this.index >= this.expr.length) this.fail('the expression is empty', 0, 0);
    const root = this.gobbleSequence();
    if (this.index < this.expr.length) this.failUnexpected('an operator or the end of the expression');
    return root;
  }

  /** `a; b; c` (a trailing `;` allowed), as expr-lang's parseSequenceExpression. */
  gobbleSequence(): JsepNode {
    const first = this.gobbleExpression();
    if (!first) this.failUnexpected('an expression');
    const expressions = [first];
    while (this.at(CODE.semicolon)) {
      this.index++;
      this.gobbleSpaces();
      if (this.index >= this.expr.length || this.at(CODE.cparen) || this.at(CODE.cbrace)) break;
      const next = this.gobbleExpression();
      if (!next) this.failUnexpected('an expression after ";"');
      expressions.push(next);
    }
    if (expressions.length === 1) return first;
    return { type: 'Sequence', expressions, start: outerSpan(first).start, end: outerSpan(expressions[expressions.length - 1]!).end };
  }

  /** Reports what stands at the current position when something else was expected. */
  failUnexpected(expected: string): never {
    const at = this.index;
    if (at >= this.expr.length) this.fail(`the expression ends too early: expected ${expected}`, at, at);
    for (const [text, message] of NOT_OPERATORS) {
      if (this.expr.startsWith(text, at)) this.fail(message, at, at + text.length);
    }
    if (Jsep.isIdentifierStart(this.code)) {
      const word = this.wordAt(at);
      const operator = closestOperatorWord(word);
      if (operator !== undefined && !OPERATOR_WORDS.has(word)) {
        this.fail(`unknown operator "${word}" (did you mean "${operator}"?)`, at, at + word.length);
      }
      this.fail(`expected ${expected}, found "${word}"`, at, at + word.length);
    }
    if (this.at(CODE.squote) || this.at(CODE.dquote) || this.at(CODE.backtick)) {
      const string = this.at(CODE.backtick) ? scanRawString(this.expr, at) : scanQuotedString(this.expr, at);
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

  /** expr-lang's parseExpression(0), less the conditional (read by the after-expression hook). */
  override gobbleBinaryExpression(): JsepNode | false | undefined {
    const node = this.gobbleOperators(0);
    if (node) spanBinaries(node);
    return node;
  }

  /** Operands and the binary operators of at least `precedence`, by precedence climbing. */
  gobbleOperators(precedence: number): JsepNode | false | undefined {
    let left = this.gobbleOperand();
    if (!left) return left;
    let previous = '';
    for (;;) {
      const mark = this.index;
      const marked = this.operators.length;
      const operator = this.gobbleBinaryOp();
      if (!operator) break;
      const info = BINARY[operator.startsWith('not ') ? operator.slice(4) : operator]!;
      if (info.precedence < precedence) {
        this.index = mark;
        this.operators.length = marked;
        break;
      }
      const token = this.operators[this.operators.length - 1]!;
      // As expr-lang's parser: a pipe may follow `??`, nothing else may.
      if (operator !== '|' && previous === '??' && operator !== '??') {
        this.fail(`the operator "${operator}" and "??" cannot be mixed: wrap either in parentheses`, token.start, token.end);
      }
      previous = operator;
      if (operator === '|') {
        left = this.gobblePipe(left);
        continue;
      }
      const right = this.gobbleOperators(info.right ? info.precedence : info.precedence + 1);
      if (!right) {
        if (this.index >= this.expr.length) this.fail(`expected an expression after "${operator}"`, this.index, this.index);
        this.failUnexpected(`an expression after "${operator}"`);
      }
      left = { type: 'BinaryExpression', operator, left, right } as unknown as JsepNode;
      if (RELATIONAL.has(operator)) {
        // A chain `a < b < c` reads its further comparisons whatever the precedence around it.
        for (;;) {
          const chainMark = this.index;
          const chainMarked = this.operators.length;
          const next = this.gobbleBinaryOp();
          if (!next || !RELATIONAL.has(next)) {
            this.index = chainMark;
            this.operators.length = chainMarked;
            break;
          }
          const comparator = this.gobbleOperators(info.precedence + 1);
          if (!comparator) this.failUnexpected(`an expression after "${next}"`);
          left = { type: 'BinaryExpression', operator: next, left, right: comparator } as unknown as JsepNode;
        }
      }
    }
    return left;
  }

  /** A unary operator and its operand (up to the operators binding tighter than it), or a token. */
  gobbleOperand(): JsepNode | false | undefined {
    this.gobbleSpaces();
    const start = this.index;
    const operator = this.unaryOperatorAt(start);
    if (operator === undefined) return this.gobbleToken();
    this.index += operator.length;
    const argument = this.gobbleOperators(UNARY_PRECEDENCE[operator]!);
    if (!argument) {
      if (this.index >= this.expr.length) this.fail('expected an expression after the operator', this.index, this.index);
      this.failUnexpected(`an expression after "${operator}"`);
    }
    return { type: 'UnaryExpression', operator, argument, prefix: true, start, end: outerSpan(argument).end };
  }

  unaryOperatorAt(at: number): string | undefined {
    const code = this.expr.charCodeAt(at);
    if (code === CODE.bang && this.expr.charCodeAt(at + 1) !== CODE.equals) return '!';
    if (code === CODE.minus) return '-';
    if (code === CODE.plus) return '+';
    if (this.expr.startsWith('not', at) && !Jsep.isIdentifierPart(this.expr.charCodeAt(at + 3))) return 'not';
    return undefined;
  }

  /** `left | f(args)`: `f(left, args)`. */
  gobblePipe(left: JsepNode): JsepNode {
    this.gobbleSpaces();
    if (!Jsep.isIdentifierStart(this.code)) this.failUnexpected('a function name after "|"');
    const callee = this.gobbleIdentifier();
    this.gobbleSpaces();
    if (!this.at(CODE.oparen)) this.failUnexpected(`"(" to call ${callee.name as string}`);
    this.index++;
    const args = this.gobbleCallArguments(callee.name as string, 1);
    return { type: 'CallExpression', callee, arguments: [left, ...args], start: outerSpan(left).start, end: this.index };
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
    this.gobbleSpaces();
    if (this.index >= this.expr.length) this.fail('this "(" is never closed', open);
    const node = this.gobbleSequence();
    if (this.index >= this.expr.length) this.fail('this "(" is never closed', open);
    if (!this.at(CODE.cparen)) this.failUnexpected('")"');
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
      if (this.at(termination)) break;
      if (args.length > 0) {
        if (!this.at(CODE.comma)) this.failUnexpected(`"," or "${closing}"`);
        this.index++;
        this.gobbleSpaces();
        if (this.at(termination)) break;
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

  /**
   * The arguments of a call after its "(": for a predicate, its body may be `{ … }` (a sequence);
   * `given` arguments came before the parentheses (a pipe).
   */
  gobbleCallArguments(name: string, given: number): JsepNode[] {
    if (!PREDICATES.has(name)) return this.gobbleArguments(CODE.cparen);
    const args: JsepNode[] = [];
    for (;;) {
      this.gobbleSpaces();
      if (this.at(CODE.cparen)) break;
      if (args.length > 0) {
        if (!this.at(CODE.comma)) this.failUnexpected('"," or ")"');
        this.index++;
        this.gobbleSpaces();
        if (this.at(CODE.cparen)) break;
      }
      if (this.index >= this.expr.length) this.failUnexpected('")"');
      const isBody = given + args.length === 1;
      const node = isBody && this.at(CODE.obrace) ? this.gobbleBracedBody() : this.gobbleExpression();
      if (!node) this.failUnexpected('an expression');
      args.push(node);
    }
    this.index++;
    this.lastEnd = this.index;
    return args;
  }

  /** A predicate body in braces: `filter(list, { … })`. */
  gobbleBracedBody(): JsepNode {
    const open = this.index;
    this.index++;
    this.gobbleSpaces();
    const node = this.gobbleSequence();
    if (!this.at(CODE.cbrace)) this.failUnexpected('"}"');
    this.index++;
    this.lastEnd = this.index;
    node.outer = { start: open, end: this.index };
    return node;
  }

  /** A `{ … }` block of `if … else`. */
  gobbleBlock(): JsepNode {
    this.gobbleSpaces();
    if (!this.at(CODE.obrace)) this.failUnexpected('"{"');
    return this.gobbleBracedBody();
  }

  /** Member access, optional chaining, indexing, slicing and calls after a token, each with its span. */
  override gobbleTokenProperty(node: JsepNode): JsepNode {
    if (node.start === undefined) {
      node.start = this.tokenStart;
      node.end = this.lastEnd;
    }
    const start = outerSpan(node).start;
    let chained = false;
    this.gobbleSpaces();
    for (;;) {
      const code = this.code;
      let optional = false;
      if (code === CODE.qmark && this.expr.charCodeAt(this.index + 1) === CODE.period) {
        optional = true;
        chained = true;
        this.index += 2;
        this.gobbleSpaces();
        if (this.at(CODE.obrack)) {
          node = this.gobbleIndex(node, start, true);
          this.gobbleSpaces();
          continue;
        }
      } else if (code === CODE.period) {
        // `1..3`, `x..y`: a range, not a member.
        if (this.expr.charCodeAt(this.index + 1) === CODE.period) return this.finishChain(node, chained);
        this.index++;
        this.gobbleSpaces();
      } else if (code === CODE.obrack) {
        node = this.gobbleIndex(node, start, false);
        this.gobbleSpaces();
        continue;
      } else if (code === CODE.oparen) {
        this.index++;
        const name = node.type === 'Identifier' && node.outer === undefined ? (node.name as string) : '';
        const args = this.gobbleCallArguments(name, 0);
        node = { type: 'CallExpression', callee: node, arguments: args, start, end: this.index };
        this.gobbleSpaces();
        continue;
      } else {
        return this.finishChain(node, chained);
      }
      // A member name may be a word that is otherwise an operator (`x.not`, `x.matches`).
      if (!Jsep.isIdentifierStart(this.code)) this.failUnexpected('a name');
      const propertyStart = this.index;
      const name = this.wordAt(propertyStart);
      this.index += name.length;
      this.lastEnd = this.index;
      const property = { type: 'Identifier', name, start: propertyStart, end: this.index };
      node = { type: 'MemberExpression', computed: false, optional, object: node, property, start, end: this.index };
      this.gobbleSpaces();
    }
  }

  private finishChain(node: JsepNode, chained: boolean): JsepNode {
    if (chained) node.chain = true;
    return node;
  }

  /** `[index]` or `[from:to]` (either bound optional). */
  gobbleIndex(object: JsepNode, start: number, optional: boolean): JsepNode {
    this.index++;
    this.gobbleSpaces();
    let from: JsepNode | undefined;
    if (!this.at(CODE.colon)) {
      const index = this.gobbleExpression();
      if (!index) this.failUnexpected('an index');
      from = index;
    }
    if (this.at(CODE.colon)) {
      this.index++;
      this.gobbleSpaces();
      let to: JsepNode | undefined;
      if (!this.at(CODE.cbrack)) {
        const bound = this.gobbleExpression();
        if (!bound) this.failUnexpected('the end of the slice');
        to = bound;
      }
      if (!this.at(CODE.cbrack)) this.failUnexpected('"]"');
      this.index++;
      this.lastEnd = this.index;
      return { type: 'Slice', object, from, to, start, end: this.index };
    }
    if (!this.at(CODE.cbrack)) this.failUnexpected('"]"');
    this.index++;
    this.lastEnd = this.index;
    return { type: 'MemberExpression', computed: true, optional, object, property: from, start, end: this.index };
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
      // `a === b` reads as a mistake, not as `==` then junk.
      if (NOT_OPERATORS.some(([text]) => text.length > symbol.length && this.expr.startsWith(text, start))) return false;
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

  /** `{key: value, …}`: keys are names, strings, numbers (as text) or parenthesized expressions. */
  gobbleMapLiteral(): JsepNode {
    const start = this.index;
    this.index++;
    const entries: { key: JsepNode; value: JsepNode }[] = [];
    for (;;) {
      this.gobbleSpaces();
      if (this.at(CODE.cbrace)) break;
      if (entries.length > 0) {
        if (!this.at(CODE.comma)) this.failUnexpected('"," or "}"');
        this.index++;
        this.gobbleSpaces();
        if (this.at(CODE.cbrace)) break;
      }
      const keyStart = this.index;
      let key: JsepNode;
      if (this.at(CODE.squote) || this.at(CODE.dquote) || this.at(CODE.backtick)) {
        const scanned = this.at(CODE.backtick) ? scanRawString(this.expr, keyStart) : scanQuotedString(this.expr, keyStart);
        key = { type: 'Literal', value: scanned.value, start: keyStart, end: scanned.end };
        this.index = scanned.end;
      } else if (Jsep.isDecimalDigit(this.code) || Jsep.isIdentifierStart(this.code)) {
        let end = keyStart;
        while (end < this.expr.length && (Jsep.isIdentifierPart(this.expr.charCodeAt(end)) || this.expr.charCodeAt(end) === CODE.period)) end++;
        key = { type: 'Literal', value: this.expr.slice(keyStart, end), start: keyStart, end };
        this.index = end;
      } else if (this.at(CODE.oparen)) {
        key = this.gobbleGroup();
      } else {
        this.failUnexpected('a map key (a name, a quoted string, a number, or an expression in parentheses)');
      }
      this.gobbleSpaces();
      if (!this.at(CODE.colon)) this.failUnexpected('":" after the map key');
      this.index++;
      const value = this.gobbleExpression();
      if (!value) this.failUnexpected('a value');
      entries.push({ key, value });
    }
    this.index++;
    this.lastEnd = this.index;
    return { type: 'MapLiteral', entries, start, end: this.index };
  }
}

function spanBinaries(node: JsepNode): void {
  if ((node.type !== 'BinaryExpression' && node.type !== 'UnaryExpression') || (node.start !== undefined && node.type !== 'UnaryExpression')) return;
  if (node.type === 'UnaryExpression') {
    spanBinaries(node.argument as JsepNode);
    node.end = outerSpan(node.argument as JsepNode).end;
    return;
  }
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
    if (!this.at(CODE.slash)) return;
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

/** Strings, numbers, `#`, `#index`, `#acc`, the `.field` shorthand of predicates and map literals. */
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
    const name = Jsep.isIdentifierStart(this.code) ? this.wordAt(this.index) : '';
    this.index += name.length;
    node = { type: 'Pointer', name, start, end: this.index };
  } else if (code === CODE.period) {
    if (!Jsep.isIdentifierStart(this.expr.charCodeAt(start + 1))) this.fail('expected a field name after "."', start, start + 1);
    // `.name` is `#.name`: a zero-width pointer that the member access below attaches to.
    node = { type: 'Pointer', implicit: true, name: '', start, end: start };
  } else if (code === CODE.obrace) {
    node = this.gobbleMapLiteral();
  } else {
    return;
  }
  this.lastEnd = node.end;
  env.node = this.gobbleTokenProperty(node);
};

/** The `if … else …` nodes: like `let`, expr-lang lets no operator follow one unless it is in parentheses. */
const IF_ELSE = new WeakSet<JsepNode>();

/** `let name = value; body` and `if test { a } else { b }`, which start an expression at precedence 0. */
const readStatement: Hook = function (this: FerryJsepParser, env) {
  this.gobbleSpaces();
  const start = this.index;
  const word = Jsep.isIdentifierStart(this.code) ? this.wordAt(start) : '';
  if (word === 'let') {
    this.index += 3;
    this.gobbleSpaces();
    const name = this.gobbleIdentifier();
    if (OPERATOR_WORDS.has(name.name as string)) this.fail(`"${name.name as string}" cannot be a variable name`, name.start, name.end);
    this.gobbleSpaces();
    if (!this.at(CODE.equals) || this.expr.charCodeAt(this.index + 1) === CODE.equals) this.failUnexpected('"=" after the variable name');
    this.index++;
    const value = this.gobbleExpression();
    if (!value) this.failUnexpected('the value of the variable');
    if (!this.at(CODE.semicolon)) this.failUnexpected('";" after the value of the variable');
    this.index++;
    this.gobbleSpaces();
    const body = this.gobbleSequence();
    env.node = { type: 'Let', name, value, body, start, end: outerSpan(body).end };
  } else if (word === 'if') {
    this.index += 2;
    const test = this.gobbleExpression();
    if (!test) this.failUnexpected('a condition after "if"');
    const consequent = this.gobbleBlock();
    this.gobbleSpaces();
    if (this.wordAt(this.index) !== 'else') this.failUnexpected('"else"');
    this.index += 4;
    const alternate = this.gobbleBlock();
    env.node = { type: 'ConditionalExpression', test, consequent, alternate, start, end: this.lastEnd };
    IF_ELSE.add(env.node);
  }
};

/** `test ? consequent : alternate` and `test ?: alternate`, the loosest construct, right-associative. */
const readConditional: Hook = function (this: FerryJsepParser, env) {
  let test = env.node;
  if (test && IF_ELSE.has(test) && this.expr.slice(test.end as number, this.index).trim() === '') return;
  while (test && this.at(CODE.qmark) && this.expr.charCodeAt(this.index + 1) !== CODE.qmark && this.expr.charCodeAt(this.index + 1) !== CODE.period) {
    this.index++;
    this.gobbleSpaces();
    let consequent: JsepNode | 'same';
    if (this.at(CODE.colon)) {
      consequent = 'same';
    } else {
      const parsed = this.gobbleExpression();
      if (!parsed) this.failUnexpected('an expression after "?"');
      consequent = parsed;
      if (this.expr.charCodeAt(this.index) !== CODE.colon) this.failUnexpected('":" of the "? :" conditional');
    }
    this.index++;
    const alternate = this.gobbleExpression();
    if (!alternate) this.failUnexpected('an expression after ":"');
    test = {
      type: 'ConditionalExpression',
      test,
      consequent: consequent === 'same' ? test : consequent,
      alternate,
      start: outerSpan(test).start,
      end: outerSpan(alternate).end,
    };
  }
  env.node = test;
};

const DIALECT = (() => {
  const hooks = new (Jsep.hooks.constructor as new () => JsepHooks)();
  hooks.add('gobble-spaces', skipComments);
  hooks.add('gobble-expression', readStatement);
  hooks.add('gobble-token', readToken);
  hooks.add('after-expression', readConditional);
  return {
    hooks,
    // Unary operators are read by gobbleOperand, with their precedence.
    unary_ops: {},
    max_unop_len: 0,
    binary_ops: Object.fromEntries(Object.entries(BINARY).map(([operator, { precedence }]) => [operator, precedence + 1])),
    max_binop_len: 10,
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
  return description.charAt(0).toLowerCase() + description.slice(1);
}
