// A seeded generator of small Starlark programs for differential testing against the reference
// implementation. Expressions are typed (int, float, string, bytes, bool, list, dict, tuple,
// set) so most programs run, but division by zero, bad indices, missing keys, bad conversions,
// frozen and iterated containers, and now and then static and syntax errors are generated on
// purpose, so error messages and backtraces are compared too. Each program picks its dialect
// flags (starlark-go's FileOptions); the features behind a flag are generated when it is on,
// and now and then when it is off, to compare the refusal.

import type { Flags } from './run-both.js';

export interface GeneratedProgram {
  seed: number;
  source: string;
  flags: Flags;
}

type Kind = 'int' | 'float' | 'str' | 'bytes' | 'bool' | 'list' | 'dict' | 'tuple' | 'set';

class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    // mulberry32
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const JSON_TEXTS = [
  '[1, 2.5, "x", null, true]',
  '{"b": {"c": []}, "a": -0.0}',
  '"\\u00e9\\ud83d\\ude00"',
  '[1,',
  '{"a" 1}',
  'tru',
  '[01]',
  '"a\\qb"',
  '1e400',
  '[-]',
  ' {} ',
  '"\\u12"',
  '1.0',
  '[1e6, 100000.0, 3]',
];

// Words with the cases that matter: ASCII, Latin-1, digraphs with a title case (ǅ), letters
// with no one-to-one upper case (ß, ﬁ), Greek with ypogegrammeni (ᾳ, whose simple upper case is
// ᾼ), Georgian (whose letters title-case to themselves), Cherokee, and letters added in
// Unicode 14 and 16 (Ꟑ, ꟑ, ᲊ) and a new symbol (🫨), which starlark-go's Go 1.26 may not know.
const WORDS = [
  'web',
  'db',
  'esx-a',
  'Pool_1',
  'vm',
  'Ubuntu 22.04',
  'a,b,c',
  '  pad  ',
  'x.y.z',
  'ÉtÉ',
  'naïve',
  '世界',
  '',
  'ab\tc',
  '42',
  '-7',
  'tag:prod',
  'ǆemal ǈubo',
  'straße ﬁle',
  'ᾳδε ᾗ',
  'საქართველო',
  'ᏣᎳᎩ ꮳꮃꭹ',
  'ꟑ Ꟑ ᲊ',
  'ʕ•ᴥ•ʔ 🫨',
  'İstanbul ı',
  'Ａｂｃ',
];

const BYTES_LITERALS = ['b""', 'b"abc"', 'b"\\xff\\x00z"', 'b"\\u00e9\\U0001F63F"', 'rb"\\n\\t"', 'b"hello, 世界"', "b'q'", 'b"\\177\\200"'];

/** Strings parsed by int(s, base): base prefixes honoured or not. */
const INT_TEXTS: [string, string][] = [
  ['"123"', ''],
  ['"-0x1f"', ', 0'],
  ['"0b101"', ', 0'],
  ['"0b101"', ', 2'],
  ['"0b0"', ', 16'],
  ['"0x0b0"', ', 16'],
  ['"0o17"', ', 8'],
  ['"0o17"', ', 16'],
  ['"0b0"', ''],
  ['" 7"', ''],
  ['"1_0"', ', 0'],
  ['"99999999999999999999"', ''],
  ['"0755"', ', 0'],
  ['"000"', ', 0'],
  ['"ff"', ', 16'],
  ['"z"', ', 36'],
  ['"12"', ', 1'],
  ['"12"', ', 1.5'],
  ['"12"', ', 1 << 40'],
  ['"0x"', ', 0'],
];

/** Bounds of ranges beyond 2^53, where exact arithmetic matters. */
const BIG = ['(1 << 60)', '(1 << 62) + 7', '-(1 << 61)', '(1 << 53) + 1', '9007199254740993', '(1 << 63) - 1', '-(1 << 63)'];

class Generator {
  private readonly vars: { name: string; kind: Kind }[] = [];
  private readonly funcs: { name: string; arity: number; returns: Kind }[] = [];
  private counter = 0;

  constructor(
    private readonly rnd: Random,
    private readonly flags: Flags,
  ) {}

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  private varOf(kind: Kind): string | undefined {
    const candidates = this.vars.filter((v) => v.kind === kind);
    return candidates.length > 0 ? this.rnd.pick(candidates).name : undefined;
  }

  private strLit(): string {
    return JSON.stringify(this.rnd.pick(WORDS));
  }

  private kinds(): Kind[] {
    const all: Kind[] = ['int', 'str', 'list', 'dict', 'float', 'bool', 'tuple', 'bytes'];
    return this.flags.set ? [...all, 'set'] : all;
  }

  expr(kind: Kind, depth: number): string {
    const r = this.rnd;
    if (depth <= 0 || r.chance(0.25)) {
      const v = r.chance(0.5) ? this.varOf(kind) : undefined;
      if (v !== undefined) return v;
      return this.leaf(kind);
    }
    const d = depth - 1;
    switch (kind) {
      case 'int':
        return r.pick([
          () => `(${this.expr('int', d)} ${r.pick(['+', '-', '*'])} ${this.expr('int', d)})`,
          () => `(${this.expr('int', d)} ${r.pick(['//', '%'])} ${r.chance(0.1) ? '0' : `(${r.int(1, 9)} - ${r.chance(0.5) ? 0 : r.int(-3, 3)})`})`,
          () => `len(${this.expr(r.pick(['str', 'list', 'dict', 'tuple', 'bytes'] as Kind[]), d)})`,
          () => `${this.expr('str', d)}.find(${this.strLit()})`,
          () => `${this.expr('str', d)}.count(${JSON.stringify(r.pick(['a', 'b', ',', '']))})`,
          () => {
            const [text, base] = r.pick(INT_TEXTS);
            return `int(${text}${base})`;
          },
          () => `hash(${this.expr(r.pick(['str', 'bytes'] as Kind[]), d)})`,
          () => `(${this.expr('int', d)} ${r.pick(['&', '|', '^', '<<', '>>'])} ${r.int(0, 70)})`,
          () => `(-${this.expr('int', d)})`,
          () => `(~${this.expr('int', d)})`,
          () => `abs(${this.expr('int', d)})`,
          () => `${r.pick(['min', 'max'])}(${this.expr('list', d)} + [${this.expr('int', d)}])`,
          () => `(${this.expr('int', d)} if ${this.expr('bool', d)} else ${this.expr('int', d)})`,
          () => (r.chance(0.85) ? `(${this.expr('list', d)} + [${this.expr('int', d)}])[-1]` : `${this.expr('list', d)}[${r.int(-4, 4)}]`),
          () => `int(${this.expr('float', d)})`,
          () => `ord(${r.pick(['"a"', '"Z"', '"é"', '"世"', 'b"a"', 'b"\\xff"', 'b"ab"', '"ab"'])})`,
          () => `${this.expr('dict', d)}.get(${this.strLit()}, ${r.int(0, 9)})`,
          () => `${this.expr('str', d)}.elem_ords()[${r.int(-2, 2)}]`,
          () => `len(${this.expr('str', d)}.elems())`,
          () => `len(range(${r.pick(BIG)}, ${r.pick(BIG)}${r.chance(0.5) ? `, ${r.pick(['3', '-5', '(1 << 40)', '-1'])}` : ''}))`,
          () => `range(${r.pick(BIG)}, ${r.pick(BIG)}, ${r.pick(['1', '-1', '7', '-(1 << 33)'])})[${r.int(-3, 3)}]`,
          () => `list(${this.expr('bytes', d)}.elems())[${r.int(-1, 1)}]`,
          () => this.callFunc('int', d),
          () => `(${r.int(1, 999999)} * ${r.int(1, 999999)} * ${r.int(1, 999999)} * ${r.int(1, 999999)})`,
        ])();
      case 'float':
        return r.pick([
          () => `(${this.expr('int', d)} / ${r.chance(0.05) ? '0' : r.int(1, 7)})`,
          () => `(${this.expr('float', d)} ${r.pick(['+', '-', '*'])} ${this.expr(r.pick(['int', 'float'] as Kind[]), d)})`,
          () => `float(${r.pick(['"1.5"', '"-2e3"', '"inf"', '"nan"', '"1e400"', '"0.1"', '3', '"x"', '"0x1.8p3"', '"1_000.5"', '"1__0"', '" 1"', '"-Infinity"', '(1 << 63) - 1', '(1 << 1100)'])})`,
          () => `(${this.expr('float', d)} // ${r.pick(['1.5', '2', '-0.25'])})`,
          () => `(${this.expr('float', d)} % ${r.pick(['1.5', '7', '-3.0'])})`,
          () => `abs(${this.expr('float', d)})`,
        ])();
      case 'str':
        return r.pick([
          () => `(${this.expr('str', d)} + ${this.expr('str', d)})`,
          () => `${this.expr('str', d)}.${r.pick(['upper', 'lower', 'strip', 'title', 'capitalize', 'lstrip', 'rstrip'])}()`,
          () => `${this.expr('str', d)}.replace(${JSON.stringify(r.pick(['a', ',', ' ', '']))}, ${this.strLit()})`,
          () => `${this.expr('str', d)}.${r.pick(['removeprefix', 'removesuffix'])}(${JSON.stringify(r.pick(['a', 'web', ' ', '', 'b', 'ა', 'x.y.z']))})`,
          () => `${JSON.stringify(r.pick(['-', ', ', '', '/']))}.join(${this.expr('list', d)}[:0] + ${this.strList(d)})`,
          () => `${this.expr('str', d)}[${r.int(-5, 5)}:${r.int(-5, 8)}:${r.pick([1, 2, -1, 3])}]`,
          () => `repr(${this.badSlice(d)})`,
          () => `str(${this.expr(r.pick(['int', 'float', 'list', 'dict', 'bool', 'tuple', 'bytes'] as Kind[]), d)})`,
          () => `repr(${this.expr(r.pick(['str', 'float', 'tuple', 'bytes'] as Kind[]), d)})`,
          () => `"%s-%d-%r-%x-%o-%e-%f-%g" % (${this.expr('str', d)}, ${this.expr('int', d)}, ${this.expr('str', d)}, ${this.expr('int', d)}, ${this.expr('int', d)}, ${this.expr('float', d)}, ${this.expr('float', d)}, ${this.expr('float', d)})`,
          () => `"%s %r" % (${this.expr('bytes', d)}, ${this.expr('bytes', d)})`,
          () => `"%(a)s" % {"a": ${this.expr('int', d)}, "unused": 1}`,
          () => `"{} and {x}".format(${this.expr(r.pick(['int', 'bytes'] as Kind[]), d)}, x=${this.expr('str', d)})`,
          () => `(${this.expr('str', d)} * ${r.int(-1, 3)})`,
          () => `json.encode(${this.expr(r.pick(['list', 'dict', 'str', 'int', 'float', 'bytes'] as Kind[]), d)})`,
          () => `json.indent(json.encode(${this.expr(r.pick(['list', 'dict'] as Kind[]), d)})${r.chance(0.5) ? ', prefix="> ", indent="  "' : ''})`,
          () => `json.encode_indent(${this.expr(r.pick(['list', 'dict', 'float'] as Kind[]), d)}${r.chance(0.5) ? ', indent="  "' : ''})`,
          () => `repr(json.decode(${JSON.stringify(r.pick(JSON_TEXTS))}${r.chance(0.3) ? `, ${r.chance(0.5) ? 'default = ' : ''}"fallback"` : ''}))`,
          () => `json.indent(${JSON.stringify(r.pick(JSON_TEXTS))})`,
          () => `chr(${r.pick([r.int(32, 0x3000), r.int(0x1c80, 0x1cbf), r.int(0xa7c0, 0xa7ff), r.int(0x1f900, 0x1faff), r.int(0x10d0, 0x10ff), r.int(0x1f80, 0x1fff)])})`,
          () => `${this.expr('str', d)}.split(${r.pick(['', '","', '" "', 'None'])})[${r.int(-2, 2)}]`,
          () => (r.chance(0.85) ? `${this.expr('dict', d)}.get(${this.strLit()}, ${this.strLit()})` : `${this.expr('dict', d)}[${this.strLit()}]`),
          () => `str(${this.expr('bytes', d)})`,
          () => `repr(list(${this.expr('str', d)}.codepoints()))`,
          () => `repr(${this.expr('str', d)}.${r.pick(['elems', 'elem_ords', 'codepoints', 'codepoint_ords'])}())`,
          () => `repr(range(${r.pick(BIG)}, ${r.pick(BIG)}, ${r.pick(['1', '3', '-7'])})[${r.pick(['1:', ':-1', '::2', '::-1', '2:5'])}])`,
          () => r.pick(['"\\u00e9t\\u00e9"', '"\\U0001F63F"', '"tab\\tnew\\nline\\x7f"', '"\\u200d\\ufeff"']),
          () => this.callFunc('str', d),
        ])();
      case 'bytes':
        return r.pick([
          () => `bytes(${this.expr('str', d)})`,
          () => `bytes([${r.int(0, 255)}, ${r.chance(0.1) ? '300' : String(r.int(0, 255))}, ${this.expr('int', d)} % 256])`,
          () => `bytes(${r.pick(['b"x"', '(65, 66)', '1', '["a"]', 'range(97, 100)', '"é"[:1]'])})`,
          () => `(${this.expr('bytes', d)} + ${this.expr('bytes', d)})`,
          () => `(${this.expr('bytes', d)} * ${r.int(-1, 3)})`,
          () => `${this.expr('bytes', d)}[${r.int(-5, 5)}:${r.int(-5, 8)}:${r.pick([1, 2, -1])}]`,
          () => `${this.expr('bytes', d)}[${r.int(-3, 3)}]`,
        ])();
      case 'bool':
        return r.pick([
          () => `(${this.expr('int', d)} ${r.pick(['<', '<=', '>', '>=', '==', '!='])} ${this.expr(r.pick(['int', 'float'] as Kind[]), d)})`,
          () => `(${this.expr('str', d)} ${r.pick(['<', '==', '!=', 'in', 'not in'])} ${this.expr('str', d)})`,
          () => `(${this.expr('bytes', d)} ${r.pick(['<', '==', '!=', '>='])} ${this.expr('bytes', d)})`,
          () => `(${r.pick([this.expr('bytes', d), this.expr('int', d), this.strLit()])} in ${this.expr('bytes', d)})`,
          () => `(${this.expr('bytes', d)} == ${this.expr('str', d)})`,
          () => `(${this.expr('int', d)} in ${this.expr('list', d)})`,
          () => `(${this.expr('int', d)} in range(${r.pick(BIG)}, ${r.pick(BIG)}))`,
          () => `(${this.strLit()} in ${this.expr('dict', d)})`,
          () => `(not ${this.expr('bool', d)})`,
          () => `(${this.expr('bool', d)} ${r.pick(['and', 'or'])} ${this.expr('bool', d)})`,
          () => `${this.expr('str', d)}.${r.pick(['startswith', 'endswith'])}(${this.strLit()})`,
          () => `${this.expr('str', d)}.${r.pick(['isdigit', 'isalpha', 'isupper', 'islower', 'isspace', 'istitle', 'isalnum'])}()`,
          () => `${r.pick(['any', 'all'])}(${this.expr('list', d)})`,
          () => `(${this.expr('list', d)} ${r.pick(['==', '<', '!='])} ${this.expr('list', d)})`,
          () => `(${this.expr('tuple', d)} ${r.pick(['<', '==', '>='])} ${this.expr('tuple', d)})`,
          ...(this.flags.set
            ? [
                () => `(${this.expr('set', d)} ${r.pick(['<', '<=', '>', '>=', '==', '!='])} ${this.expr('set', d)})`,
                () => `${this.expr('set', d)}.${r.pick(['issubset', 'issuperset'])}(${this.expr(r.pick(['list', 'set'] as Kind[]), d)})`,
                () => `(${this.expr('int', d)} in ${this.expr('set', d)})`,
              ]
            : []),
        ])();
      case 'list':
        return r.pick([
          () => `[${this.expr('int', d)}, ${this.expr('int', d)}, ${this.expr('int', d)}]`,
          () => `[${this.vars.length > 0 ? `${this.expr('int', d)} * k` : 'k'} for k in range(${r.int(-2, 6)}) if k != ${r.int(0, 4)}]`,
          () => `sorted(${this.expr(this.flags.set ? r.pick(['list', 'set'] as Kind[]) : 'list', d)}${r.chance(0.4) ? ', reverse=True' : ''})`,
          () => `reversed(${this.expr('list', d)})`,
          () => `list(range(${r.int(-5, 5)}, ${r.int(-5, 12)}, ${r.pick([1, 2, -1, -3])}))`,
          () => `list(range(${r.pick(BIG)}, ${r.pick(BIG)}, ${r.pick(['(1 << 59)', '-(1 << 60)', '(1 << 61) + 1'])}))`,
          () => `(${this.expr('list', d)} + ${this.expr('list', d)})`,
          () => `${this.expr('list', d)}[${r.int(-3, 3)}:${r.int(-3, 6)}]`,
          () => `[len(w) for w in ${this.strList(d)}]`,
          () => `sorted(${this.expr('dict', d)}.values())`,
          () => `[i * j for i, j in enumerate(${this.expr('list', d)})]`,
          () => `[a + b for a, b in zip(${this.expr('list', d)}, ${this.expr('list', d)})]`,
          () => `(${this.expr('list', d)} * ${r.int(0, 2)})`,
          () => `list(${this.expr('bytes', d)}.elems())`,
          () => this.callFunc('list', d),
        ])();
      case 'dict':
        return r.pick([
          () => `{${this.strLit()}: ${this.expr('int', d)}, ${this.strLit()}: ${this.expr('int', d)}}`,
          () => `{w: len(w) for w in ${this.strList(d)}}`,
          () => `dict(zip(${this.strList(d)}, ${this.expr('list', d)}))`,
          () => `dict(${this.expr('dict', d)}, extra=${this.expr('int', d)})`,
          () => `(${this.expr('dict', d)} | ${r.chance(0.9) ? this.expr('dict', d) : this.expr('list', d)})`,
          () => `{${this.expr('bytes', d)}: 1, ${this.expr('bytes', d)}: 2}`,
        ])();
      case 'tuple':
        return r.pick([
          () => `(${this.expr('int', d)}, ${this.expr('str', d)})`,
          () => `tuple(${this.expr('list', d)})`,
          () => `${this.expr('dict', d)}.items()[${r.int(-1, 1)}]`,
          () => `${this.expr('str', d)}.partition(${JSON.stringify(r.pick([',', ' ', 'a']))})`,
        ])();
      case 'set':
        return r.pick([
          () => `set(${this.expr('list', d)})`,
          () => `(${this.expr('set', d)} ${r.pick(['|', '&', '^', '-'])} ${this.expr('set', d)})`,
          () => `${this.expr('set', d)}.union(${this.expr('list', d)}${r.chance(0.4) ? `, ${this.expr('list', d)}` : ''})`,
          () => `${this.expr('set', d)}.${r.pick(['intersection', 'difference', 'symmetric_difference'])}(${this.expr(r.pick(['list', 'set'] as Kind[]), d)})`,
          () => `set(${this.expr('dict', d)})`,
        ])();
    }
  }

  private strList(d: number): string {
    return this.rnd.chance(0.5) ? `${this.expr('str', d)}.split(",")` : `[${this.strLit()}, ${this.strLit()}, ${this.strLit()}]`;
  }

  private leaf(kind: Kind): string {
    const r = this.rnd;
    switch (kind) {
      case 'int':
        return r.pick([String(r.int(-20, 20)), String(r.int(0, 1 << 30)), '0x7f', '0o17', '12345678901234567890']);
      case 'float':
        return r.pick(['1.5', '0.1', '1e20', '2.5e-7', '123.0', '1e6', '100000.0', '3.0', '-0.0', '1e21', '0.000001']);
      case 'str':
        return this.strLit();
      case 'bytes':
        return r.pick(BYTES_LITERALS);
      case 'bool':
        return r.pick(['True', 'False']);
      case 'list':
        return r.pick(['[]', '[3, 1, 2]', '[0, -1, 7, 7]', '[10]']);
      case 'dict':
        return r.pick(['{}', '{"web": 1, "db": 2}', '{"a": 0}']);
      case 'tuple':
        return r.pick(['()', '(1,)', '(1, "a")', '(2, "b", 3)']);
      case 'set':
        return r.pick(['set()', 'set([1, 2, 3])', 'set([3, 2])', 'set([7])']);
    }
  }

  /** A call of a generated function; now and then with arguments it does not accept. */
  private callFunc(kind: Kind, d: number): string {
    const candidates = this.funcs.filter((f) => f.returns === kind);
    if (candidates.length === 0) return this.leaf(kind);
    const f = this.rnd.pick(candidates);
    const args = Array.from({ length: f.arity }, () => this.expr('int', d));
    if (this.rnd.chance(0.04)) args.push(this.rnd.pick(['1', '2, 3', 'zz = 1', 'a = 1']));
    if (this.rnd.chance(0.03)) args.pop();
    return `${f.name}(${args.join(', ')})`;
  }

  /** A slice whose operand or bounds may be of the wrong type: where it fails depends on them. */
  private badSlice(d: number): string {
    const r = this.rnd;
    const operand = r.pick([
      () => this.expr('dict', d),
      () => this.expr('str', d),
      () => this.expr('bytes', d),
      () => `(${this.expr('dict', d)} or ${this.expr('list', d)})`,
      () => `(${this.expr('list', d)} and ${this.expr('dict', d)})`,
      () => `(${this.expr('dict', d)} if ${this.expr('bool', d)} else ${this.expr('list', d)})`,
      () => `[x for x in ${this.expr('list', d)}]`,
      () => `{"k": ${this.expr('int', d)}}`,
    ])();
    const bound = (): string =>
      r.pick([
        () => '',
        () => '1',
        () => '-2',
        () => String(r.int(-3, 3)),
        () => `len(${this.expr('str', d)})`,
        () => '"a"',
        () => `(${this.expr('int', d)} if ${this.expr('bool', d)} else "x")`,
        () => `-${this.expr('int', d)}`,
      ])();
    return `${operand}[${bound()}:${bound()}${r.chance(0.4) ? `:${r.pick(['1', '-1', '0', '"s"', '2'])}` : ''}]`;
  }

  private defineFunction(): string {
    const r = this.rnd;
    const name = this.fresh('f');
    const returns = r.pick(['int', 'str', 'list'] as Kind[]);
    const arity = r.int(1, 2);
    const params = ['a', 'b'].slice(0, arity);
    const lines = [`def ${name}(${params.join(', ')}${r.chance(0.5) ? ', c=3' : ''}):`];
    if (returns === 'int') {
      lines.push('    total = 0');
      lines.push(`    for i in range(${r.int(0, 6)}):`);
      lines.push(`        if i % ${r.int(1, 3)} == 0:`);
      lines.push(`            total += a * i`);
      lines.push(r.chance(0.5) ? '        else:\n            total -= 1' : '        elif i > 3:\n            break');
      lines.push(`    return total // ${r.chance(0.08) ? '(a - a)' : '1'}`);
    } else if (returns === 'str') {
      lines.push(`    parts = [str(a)]`);
      lines.push(`    for w in ${JSON.stringify(r.pick(WORDS))}.split(","):`);
      lines.push(`        parts.append(w.strip().${r.pick(['upper', 'title', 'capitalize'])}())`);
      lines.push(`    return "/".join(parts)`);
    } else {
      lines.push(`    out = []`);
      lines.push(`    for i in range(${arity === 2 ? 'b % 5' : '3'}):`);
      lines.push(`        out.append(a + i)`);
      lines.push(`    return out${r.chance(0.1) ? '[10]' : ''}`);
    }
    this.funcs.push({ name, arity, returns });
    return lines.join('\n');
  }

  /** A function exercising calls, closures, mutation and built-ins, and a print of its result. */
  private snippet(): string {
    const r = this.rnd;
    const name = this.fresh('s');
    const snippets = [
      () => `def ${name}(x, *args, **kw):
    return [x, args, sorted(kw.items())]
print(${name}(${this.expr('int', 1)}, ${this.expr('str', 1)}, ${this.expr('int', 1)}, a = ${this.expr('int', 1)}, **{"b": ${this.expr('list', 1)}}))`,
      () => `def ${name}(n):
    def add(x):
        return x + n
    return add
print(${name}(${this.expr('int', 1)})(${this.expr('int', 1)}), ${name}("a")(${this.strLit()}))`,
      () => `def ${name}():
    items = ${this.expr('list', 2)}
    items.insert(${r.chance(0.1) ? r.pick(BIG) : r.int(-3, 3)}, ${this.expr('int', 1)})
    items.append(len(items))
    first = items.pop(${r.chance(0.1) ? r.pick(BIG) : 0})
    items.extend([first, first])
    if ${this.expr('int', 1)} in items:
        items.remove(first)
    return items, items.index(first) if first in items else -1
print(${name}())`,
      () => `def ${name}():
    d = ${this.expr('dict', 2)}
    d.setdefault(${this.strLit()}, []).append(1) if False else d.setdefault("k", 0)
    d.update({"u": ${this.expr('int', 1)}})
    popped = d.pop(${this.strLit()}, None)
    return d, popped, d.popitem() if d else None
print(${name}())`,
      () => `def ${name}():
    d = ${this.expr('dict', 2)}
    alias = d
    d |= ${r.chance(0.9) ? this.expr('dict', 1) : this.expr('list', 1)}
    d |= {"z": ${this.expr('int', 1)}}
    return d, alias == d, sorted(d.keys())
print(${name}())`,
      () => `print(sorted(${this.strList(2)}, key = lambda w: (len(w), w), reverse = ${r.pick(['True', 'False'])}), min(${this.expr('list', 1)} + [0], key = lambda v: -v))`,
      () => `print("%(a)s-%(b)d-%(a)r" % {"a": ${this.expr('str', 1)}, "b": ${this.expr('int', 1)}})`,
      () => `${name} = struct(name = ${this.strLit()}, size = ${this.expr('int', 1)}, parts = ${this.expr('list', 1)})
print(${name}, ${name}.name, ${name}.size, json.encode(${name}), dir(${name}))`,
      () => `print([(i, w) for i, w in enumerate(${this.strList(2)}) if len(w) > ${r.int(0, 3)} for _ in range(${r.int(0, 2)})])`,
      () => `print(${this.expr('str', 2)}.${r.pick(['partition', 'rpartition', 'rsplit', 'split'])}(${JSON.stringify(r.pick([' ', ',', '.', 'a']))}), ${this.expr('str', 1)}.splitlines(), list(${this.expr('str', 1)}.codepoints()), ${this.expr('str', 1)}.elems())`,
      () => `def ${name}(a, b):
    a[0] += b
    a[-1] *= 2
    return a
print(${name}(${this.expr('list', 2)}, ${this.expr('int', 1)}))`,
      () => `print(zip(${this.expr('list', 1)}, [4, 5]), enumerate(${this.expr('list', 1)}, ${r.chance(0.2) ? r.pick(BIG) : r.int(-2, 2)}), tuple(reversed(${this.expr('list', 1)})), any([x > 2 for x in ${this.expr('list', 1)}]))`,
      () => `print(${this.expr('bytes', 2)}, ${this.expr('bytes', 1)}.elems(), type(${this.expr('bytes', 1)}.elems()), dir(b""))`,
      () => `print(${this.strLit()}.${r.pick(['title', 'capitalize', 'upper', 'lower'])}(), ${this.strLit()}.${r.pick(['istitle', 'isupper', 'islower', 'isalpha'])}(), repr(${this.strLit()}.title()))`,
      () => `print(json.encode([${this.expr('float', 1)}, ${r.pick(['1.0', '1e6', '100000.0', '1e21', '0.000001', '-0.0', '123456789.0'])}]), json.decode(${JSON.stringify(r.pick(JSON_TEXTS))}, ${r.pick(['None', '[]', '"bad"'])}))`,
      () => `${name} = [1]
${name}.append(${r.pick([name, `{"k": ${name}}`, `(2, ${name})`])})
print(json.encode(${name}))`,
      () => `print(${r.pick([
        'sorted([3, 1], revers = True)',
        'min([1], keg = 1)',
        'int("1", bas = 2)',
        'json.decode("1", defualt = 2)',
        'json.indent("[]", prefx = "")',
        'sorted([1], ky = len)',
        'json.decode(x = "1")',
        'json.encode_indent([1], "  ")',
        '"{a}".format(b = 1)',
        'dict(a = 1, a = 2)',
      ])})`,
      ...(this.flags.set
        ? [
            () => `def ${name}():
    s = ${this.expr('set', 2)}
    s.add(${this.expr('int', 1)})
    s.discard(${this.expr('int', 1)})
    s.update(${this.expr('list', 1)}${r.chance(0.3) ? `, ${this.expr('list', 1)}` : ''})
    first = s.pop() if s else None
    ${r.chance(0.3) ? `s.remove(${this.expr('int', 1)})` : 'pass'}
    return s, first, len(s)
print(${name}())`,
            () => `def ${name}():
    s = ${this.expr('set', 1)}
    for x in s:
        s.${r.pick(['add(x + 1)', 'discard(x)', 'clear()', 'update([x])', 'remove(x)', 'pop()'])}
    return s
print(${name}())`,
            () => `${name} = set([1, 2])
print(${name}.${r.pick(['add([1])', 'discard({})', 'remove([])', 'union(1)', 'update(a = [1])', 'issubset(5)', 'union([1], 2)', 'clear(1)', 'pop(0)'])})`,
          ]
        : []),
    ];
    return r.pick(snippets)();
  }

  /** A feature behind a dialect flag, and now and then a static or syntax error. */
  private dialectStatement(): string | undefined {
    const r = this.rnd;
    const f = this.flags;
    const name = this.fresh('w');
    const choices: (() => string)[] = [];
    if (f.while || r.chance(0.05)) {
      choices.push(() => `def ${name}(n):\n    acc = []\n    while n > 0 and len(acc) < 100:\n        acc.append(n % 7)\n        n //= 3\n        if n == 5:\n            continue\n    return acc\nprint(${name}(${this.expr('int', 2)}))`);
    }
    if (f.recursion || r.chance(0.05)) {
      choices.push(() => `def ${name}(n):\n    return n if n < 2 else ${name}(n - 1) + ${name}(n - 2)\nprint(${name}(${r.int(-2, 15)}))`);
      const prologue = r.pick(['"""Doc."""\n    ', '', 'pass\n    ', 'x = 1\n    ', 'if n:\n        pass\n    ', 'for i in [n]:\n        pass\n    ', 'total = [n][0]\n    ', 'n += 0\n    ', 'print((n or 1)[0:1] if False else "")\n    ', '(lambda: n)()\n    ']);
      const dflt = r.pick(['[]', 'None', 'len("ab")', '-1']);
      choices.push(() => `def ${name}(n, acc = ${dflt}):\n    ${prologue}return [n] + [${name}(n - 1)] if n > 0 else []\nprint(${name}(${r.int(0, 4)}))`);
      if (r.chance(0.05)) choices.push(() => `def ${name}(n):\n    return ${name}(n + 1)\nprint(${name}(0))`);
    }
    if (f.topLevelControl || r.chance(0.05)) {
      choices.push(() => `for ${name} in ${this.expr('list', 1)}:\n    if ${name} > 2:\n        print(${name})\n    elif ${name} < 0:\n        continue`);
      if (f.while || r.chance(0.1)) choices.push(() => `${name} = 3\nwhile ${name} > 0:\n    ${name} -= 1`);
    }
    if (f.globalReassign || r.chance(0.05)) {
      choices.push(() => `${name} = 1\n${name} = ${this.expr('int', 1)}\nprint(${name})`);
    }
    if (r.chance(0.03)) {
      choices.push(
        () => `def ${name}():\n    for x in [1]:\n        def inner():\n            ${r.pick(['break', 'continue'])}\n        inner()`,
        () => `def ${name}(**kw):\n    return kw\nprint(${name}(a = 1, a = 2))`,
        () => `${name} = ${r.pick(['as', 'import', 'await', 'class', 'yield', 'is'])}`,
        () => `${name} = ${r.pick(['"\\xff"', '"\\400"', '"\\u00"', '"\\ud800"', '"\\U00110000"', 'b"\\400"', '"\\q"', '"\\u00e"'])}`,
        () => `${name} = 1 +\n${name} = 2`,
        () => `${name} = 1 b"x"`,
      );
    }
    return choices.length > 0 ? r.pick(choices)() : undefined;
  }

  program(statements: number): string {
    const r = this.rnd;
    const lines: string[] = [];
    for (let i = 0; i < statements; i++) {
      const roll = r.next();
      if (roll < 0.14) {
        lines.push(this.snippet());
      } else if (roll < 0.22) {
        lines.push(this.defineFunction());
      } else if (roll < 0.42) {
        const kind = r.pick(this.kinds());
        const name = this.fresh('v');
        lines.push(`${name} = ${this.expr(kind, 3)}`);
        this.vars.push({ name, kind });
      } else if (roll < 0.5) {
        lines.push(this.dialectStatement() ?? `print(${this.expr(r.pick(this.kinds()), 3)})`);
      } else {
        lines.push(`print(${this.expr(r.pick(this.kinds()), 3)})`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

export function generateProgram(seed: number): GeneratedProgram {
  const rnd = new Random(seed);
  const flags: Flags = {
    set: rnd.chance(0.5),
    while: rnd.chance(0.25),
    topLevelControl: rnd.chance(0.15),
    globalReassign: rnd.chance(0.15),
    recursion: rnd.chance(0.2),
  };
  const source = new Generator(rnd, flags).program(rnd.int(4, 14));
  return { seed, source, flags };
}
