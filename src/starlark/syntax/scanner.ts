// The scanner turns a byte string into tokens, with INDENT/OUTDENT for block structure.
// It follows starlark-go's syntax/scan.go closely, including where errors are reported:
// the parser reports most errors at the scanner's *current* position (just past the
// lookahead token), and the conformance files check those lines.

import { goQuoteRune } from '../text/go-quote.js';
import { decodeRuneAt } from '../text/utf8.js';
import { makePos, type Pos } from './position.js';
import { unquote } from './quote.js';
import { KEYWORDS, Tok } from './tokens.js';

/** Thrown (never escapes the parser) for the first syntax error. */
export class SyntaxFailure {
  constructor(
    readonly pos: Pos,
    readonly message: string,
  ) {}
}

export interface TokenValue {
  raw: string;
  /** Decoded number literal: a safe integer, a bigint, or a float (see `isFloat`). */
  num: number | bigint;
  isFloat: boolean;
  /** Decoded string or bytes literal (a byte string). */
  str: string;
  pos: Pos;
}

const LETTER = /\p{L}/u;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isOctDigit(c: number): boolean {
  return c >= 48 && c <= 55;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isBinDigit(c: number): boolean {
  return c === 48 || c === 49;
}
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && LETTER.test(String.fromCodePoint(c)));
}
function isIdent(c: number): boolean {
  return isDigit(c) || isIdentStart(c);
}

const TAB = 8;

export class Scanner {
  private offset = 0;
  private tokenStart = 0;
  line = 1;
  col = 1;
  private depth = 0;
  private readonly indentStack: number[] = [0];
  private dents = 0;
  private lineStart = true;

  constructor(private readonly src: string) {}

  get pos(): Pos {
    return makePos(this.line, this.col);
  }

  fail(pos: Pos, message: string): never {
    throw new SyntaxFailure(pos, message);
  }

  private eof(): boolean {
    return this.offset >= this.src.length;
  }

  /** The next rune without consuming it; '\r' reads as '\n'; 0 at end of input. */
  private peekRune(): number {
    if (this.offset >= this.src.length) return 0;
    const b = this.src.charCodeAt(this.offset);
    if (b < 0x80) return b === 13 ? 10 : b;
    return decodeRuneAt(this.src, this.offset) >> 3;
  }

  private readRune(): number {
    if (this.offset >= this.src.length) this.fail(this.pos, 'internal scanner error: readRune at EOF');
    const b = this.src.charCodeAt(this.offset);
    if (b < 0x80) {
      this.offset++;
      let r = b;
      if (r === 13) {
        if (this.offset < this.src.length && this.src.charCodeAt(this.offset) === 10) this.offset++;
        r = 10;
      }
      if (r === 10) {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      return r;
    }
    const d = decodeRuneAt(this.src, this.offset);
    this.offset += d & 7;
    this.col++;
    return d >> 3;
  }

  private startToken(val: TokenValue): void {
    this.tokenStart = this.offset;
    val.raw = '';
    val.pos = this.pos;
  }

  private endToken(val: TokenValue): void {
    if (val.raw === '') val.raw = this.src.slice(this.tokenStart, this.offset);
  }

  nextToken(val: TokenValue): Tok {
    for (;;) {
      let c: number;
      let blank = false;
      const savedLineStart = this.lineStart;
      if (this.lineStart) {
        this.lineStart = false;
        let col = 0;
        for (;;) {
          c = this.peekRune();
          if (c === 32) {
            col++;
            this.readRune();
          } else if (c === 9) {
            col += TAB - ((this.col - 1) % TAB);
            this.readRune();
          } else {
            break;
          }
        }
        if (c === 35 || c === 10 || c === 0) blank = true;
        if (!blank && this.depth === 0) {
          const stack = this.indentStack;
          const cur = stack[stack.length - 1];
          if (col > cur) {
            this.dents++;
            stack.push(col);
          } else if (col < cur) {
            while (stack.length > 0 && col < stack[stack.length - 1]) {
              this.dents--;
              stack.pop();
            }
            if (col !== stack[stack.length - 1]) this.fail(this.pos, 'unindent does not match any outer indentation level');
          }
        }
      }

      if (this.dents !== 0) {
        this.startToken(val);
        this.endToken(val);
        if (this.dents < 0) {
          this.dents++;
          return Tok.OUTDENT;
        }
        this.dents--;
        return Tok.INDENT;
      }

      c = this.peekRune();
      while (c === 32 || c === 9) {
        this.readRune();
        c = this.peekRune();
      }

      if (c === 35) {
        while (c !== 0 && c !== 10) {
          this.readRune();
          c = this.peekRune();
        }
      }

      if (c === 10) {
        this.lineStart = true;
        if (this.depth > 0 || blank) {
          this.readRune();
          continue;
        }
        this.startToken(val);
        this.readRune();
        val.raw = '\n';
        return Tok.NEWLINE;
      }

      if (c === 0) {
        if (this.indentStack.length > 1) {
          if (savedLineStart) {
            this.dents = 1 - this.indentStack.length;
            this.indentStack.length = 1;
            continue;
          }
          this.lineStart = true;
          this.startToken(val);
          val.raw = '\n';
          return Tok.NEWLINE;
        }
        this.startToken(val);
        this.endToken(val);
        return Tok.EOF;
      }

      if (c === 92) {
        this.readRune();
        if (this.peekRune() !== 10) this.fail(this.pos, 'stray backslash in program');
        this.readRune();
        continue;
      }

      this.startToken(val);

      if (c === 44) {
        this.readRune();
        this.endToken(val);
        return Tok.COMMA;
      }
      if (c === 34 || c === 39) return this.scanString(val, c);

      if (isIdentStart(c)) {
        // Prefixes r"...", b"..." and rb"...".
        const next = this.offset + 1 < this.src.length ? this.src.charCodeAt(this.offset + 1) : 0;
        if ((c === 114 || c === 98) && (next === 34 || next === 39)) {
          this.readRune();
          return this.scanString(val, this.peekRune());
        }
        if (c === 114 && next === 98 && this.offset + 2 < this.src.length) {
          const q = this.src.charCodeAt(this.offset + 2);
          if (q === 34 || q === 39) {
            this.readRune();
            this.readRune();
            return this.scanString(val, this.peekRune());
          }
        }
        while (isIdent(c)) {
          this.readRune();
          c = this.peekRune();
        }
        this.endToken(val);
        return KEYWORDS.get(val.raw) ?? Tok.IDENT;
      }

      switch (c) {
        case 91:
        case 40:
        case 123:
          this.depth++;
          this.readRune();
          this.endToken(val);
          return c === 91 ? Tok.LBRACK : c === 40 ? Tok.LPAREN : Tok.LBRACE;
        case 93:
        case 41:
        case 125:
          if (this.depth === 0) this.fail(this.pos, `unexpected '${String.fromCharCode(c)}'`);
          this.depth--;
          this.readRune();
          this.endToken(val);
          return c === 93 ? Tok.RBRACK : c === 41 ? Tok.RPAREN : Tok.RBRACE;
      }

      if (isDigit(c) || c === 46) return this.scanNumber(val, c);

      const tok = this.scanOperator(c);
      this.endToken(val);
      return tok;
    }
  }

  private scanOperator(c: number): Tok {
    const start = this.pos;
    switch (c) {
      case 61: // = < > ! + - % / & | ^, possibly followed by '='
      case 60:
      case 62:
      case 33:
      case 43:
      case 45:
      case 37:
      case 47:
      case 38:
      case 124:
      case 94: {
        this.readRune();
        if (this.peekRune() === 61) {
          switch (c) {
            case 60:
              this.readRune();
              return Tok.LE;
            case 62:
              this.readRune();
              return Tok.GE;
            case 61:
              this.readRune();
              return Tok.EQL;
            case 33:
              this.readRune();
              return Tok.NEQ;
            case 43:
              this.readRune();
              return Tok.PLUS_EQ;
            case 45:
              this.readRune();
              return Tok.MINUS_EQ;
            case 47:
              this.readRune();
              return Tok.SLASH_EQ;
            case 37:
              this.readRune();
              return Tok.PERCENT_EQ;
            case 38:
              this.readRune();
              return Tok.AMP_EQ;
            case 124:
              this.readRune();
              return Tok.PIPE_EQ;
            case 94:
              this.readRune();
              return Tok.CIRCUMFLEX_EQ;
          }
        }
        switch (c) {
          case 61:
            return Tok.EQ;
          case 60:
            if (this.peekRune() === 60) {
              this.readRune();
              if (this.peekRune() === 61) {
                this.readRune();
                return Tok.LTLT_EQ;
              }
              return Tok.LTLT;
            }
            return Tok.LT;
          case 62:
            if (this.peekRune() === 62) {
              this.readRune();
              if (this.peekRune() === 61) {
                this.readRune();
                return Tok.GTGT_EQ;
              }
              return Tok.GTGT;
            }
            return Tok.GT;
          case 33:
            this.fail(start, "unexpected input character '!'");
          // falls through (fail never returns)
          case 43:
            return Tok.PLUS;
          case 45:
            return Tok.MINUS;
          case 47:
            if (this.peekRune() === 47) {
              this.readRune();
              if (this.peekRune() === 61) {
                this.readRune();
                return Tok.SLASHSLASH_EQ;
              }
              return Tok.SLASHSLASH;
            }
            return Tok.SLASH;
          case 37:
            return Tok.PERCENT;
          case 38:
            return Tok.AMP;
          case 124:
            return Tok.PIPE;
          default:
            return Tok.CIRCUMFLEX;
        }
      }
      case 58:
        this.readRune();
        return Tok.COLON;
      case 59:
        this.readRune();
        return Tok.SEMI;
      case 126:
        this.readRune();
        return Tok.TILDE;
      case 42:
        this.readRune();
        if (this.peekRune() === 42) {
          this.readRune();
          return Tok.STARSTAR;
        }
        if (this.peekRune() === 61) {
          this.readRune();
          return Tok.STAR_EQ;
        }
        return Tok.STAR;
    }
    this.fail(this.pos, `unexpected input character ${goQuoteRune(c)}`);
  }

  private scanString(val: TokenValue, quote: number): Tok {
    const start = this.pos;
    const s = this.src;
    const o = this.offset;
    const triple = o + 2 < s.length && s.charCodeAt(o) === quote && s.charCodeAt(o + 1) === quote && s.charCodeAt(o + 2) === quote;
    this.readRune();
    if (!triple) {
      for (;;) {
        if (this.eof()) this.fail(val.pos, 'unexpected EOF in string');
        let c = this.readRune();
        if (c === quote) break;
        if (c === 10) this.fail(val.pos, 'unexpected newline in string');
        if (c === 92) {
          if (this.eof()) this.fail(val.pos, 'unexpected EOF in string');
          c = this.readRune();
        }
      }
    } else {
      this.readRune();
      this.readRune();
      let quoteCount = 0;
      for (;;) {
        if (this.eof()) this.fail(val.pos, 'unexpected EOF in string');
        let c = this.readRune();
        if (c === quote) {
          quoteCount++;
          if (quoteCount === 3) break;
        } else {
          quoteCount = 0;
        }
        if (c === 92) {
          if (this.eof()) this.fail(val.pos, 'unexpected EOF in string');
          c = this.readRune();
        }
      }
    }
    val.raw = s.slice(this.tokenStart, this.offset);
    let isBytes = false;
    try {
      ({ value: val.str, isBytes } = unquote(val.raw));
    } catch (message) {
      this.fail(start, String(message));
    }
    return isBytes ? Tok.BYTES : Tok.STRING;
  }

  private scanNumber(val: TokenValue, c: number): Tok {
    const start = this.pos;
    let fraction = false;
    let exponent = false;
    if (c === 46) {
      this.readRune();
      c = this.peekRune();
      if (!isDigit(c)) {
        this.endToken(val);
        return Tok.DOT;
      }
      fraction = true;
    } else if (c === 48) {
      this.readRune();
      c = this.peekRune();
      if (c === 46) {
        fraction = true;
      } else if (c === 120 || c === 88) {
        this.readRune();
        c = this.peekRune();
        if (!isHexDigit(c)) this.fail(start, 'invalid hex literal');
        while (isHexDigit(c)) {
          this.readRune();
          c = this.peekRune();
        }
      } else if (c === 111 || c === 79) {
        this.readRune();
        c = this.peekRune();
        if (!isOctDigit(c)) this.fail(this.pos, 'invalid octal literal');
        while (isOctDigit(c)) {
          this.readRune();
          c = this.peekRune();
        }
      } else if (c === 98 || c === 66) {
        this.readRune();
        c = this.peekRune();
        if (!isBinDigit(c)) this.fail(this.pos, 'invalid binary literal');
        while (isBinDigit(c)) {
          this.readRune();
          c = this.peekRune();
        }
      } else {
        let allZeros = true;
        let octal = true;
        while (isDigit(c)) {
          if (c !== 48) allZeros = false;
          if (c > 55) octal = false;
          this.readRune();
          c = this.peekRune();
        }
        if (c === 46) {
          fraction = true;
        } else if (c === 101 || c === 69) {
          exponent = true;
        } else if (octal && !allZeros) {
          this.endToken(val);
          this.fail(this.pos, `obsolete form of octal literal; use 0o${val.raw.slice(1)}`);
        }
      }
    } else {
      while (isDigit(c)) {
        this.readRune();
        c = this.peekRune();
      }
      if (c === 46) fraction = true;
      else if (c === 101 || c === 69) exponent = true;
    }

    if (fraction) {
      this.readRune();
      c = this.peekRune();
      while (isDigit(c)) {
        this.readRune();
        c = this.peekRune();
      }
      if (c === 101 || c === 69) exponent = true;
    }
    if (exponent) {
      this.readRune();
      c = this.peekRune();
      if (c === 43 || c === 45) {
        this.readRune();
        c = this.peekRune();
        if (!isDigit(c)) this.fail(this.pos, 'invalid float literal');
      }
      while (isDigit(c)) {
        this.readRune();
        c = this.peekRune();
      }
    }
    this.endToken(val);

    const raw = val.raw;
    if (fraction || exponent) {
      const f = Number(raw);
      if (!Number.isFinite(f)) this.fail(this.pos, 'invalid float literal');
      val.num = f;
      val.isFloat = true;
      return Tok.FLOAT;
    }
    let n: bigint;
    try {
      const lower = raw.toLowerCase();
      n = lower.startsWith('0o') ? BigInt(`0o${raw.slice(2)}`) : BigInt(raw);
    } catch {
      this.fail(start, 'invalid int literal');
    }
    val.num = n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
    val.isFloat = false;
    return Tok.INT;
  }
}
