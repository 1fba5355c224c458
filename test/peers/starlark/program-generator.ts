// A seeded generator of small, valid Starlark programs for differential testing against the
// reference implementation. Expressions are typed (int, float, string, bool, list, dict,
// tuple) so most programs run, but division by zero, bad indices, missing keys and bad
// conversions are generated on purpose now and then, so error messages and backtraces are
// compared too.

export interface GeneratedProgram {
  seed: number;
  source: string;
  flags: { set?: boolean; recursion?: boolean };
}

type Kind = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'tuple';

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

const JSON_TEXTS = ['[1, 2.5, "x", null, true]', '{"b": {"c": []}, "a": -0.0}', '"\\u00e9\\ud83d\\ude00"', '[1,', '{"a" 1}', 'tru', '[01]', '"a\\qb"', '1e400', '[-]', ' {} ', '"\\u12"'];

const WORDS = ['web', 'db', 'esx-a', 'Pool_1', 'vm', 'Ubuntu 22.04', 'a,b,c', '  pad  ', 'x.y.z', 'ÉtÉ', 'naïve', '世界', '', 'ab\tc', '42', '-7', 'tag:prod'];

class Generator {
  private readonly vars: { name: string; kind: Kind }[] = [];
  private readonly funcs: { name: string; arity: number; returns: Kind }[] = [];
  private counter = 0;

  constructor(
    private readonly rnd: Random,
    private readonly flags: GeneratedProgram['flags'],
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
          () => `len(${this.expr(r.pick(['str', 'list', 'dict', 'tuple'] as Kind[]), d)})`,
          () => `${this.expr('str', d)}.find(${this.strLit()})`,
          () => `${this.expr('str', d)}.count(${JSON.stringify(r.pick(['a', 'b', ',', '']))})`,
          () => `int(${r.pick(['"123"', '"-0x1f"', '"0b101"', '" 7"', '"1_0"', '"99999999999999999999"'])}${r.chance(0.3) ? ', 0' : ''})`,
          () => `hash(${this.expr('str', d)})`,
          () => `(${this.expr('int', d)} ${r.pick(['&', '|', '^', '<<', '>>'])} ${r.int(0, 70)})`,
          () => `(-${this.expr('int', d)})`,
          () => `(~${this.expr('int', d)})`,
          () => `${r.pick(['min', 'max'])}(${this.expr('list', d)} + [${this.expr('int', d)}])`,
          () => `(${this.expr('int', d)} if ${this.expr('bool', d)} else ${this.expr('int', d)})`,
          () => (r.chance(0.85) ? `(${this.expr('list', d)} + [${this.expr('int', d)}])[-1]` : `${this.expr('list', d)}[${r.int(-4, 4)}]`),
          () => `int(${this.expr('float', d)})`,
          () => `ord(${JSON.stringify(r.pick(['a', 'Z', 'é', '世']))})`,
          () => `${this.expr('dict', d)}.get(${this.strLit()}, ${r.int(0, 9)})`,
          () => this.callFunc('int', d),
          () => `(${r.int(1, 999999)} * ${r.int(1, 999999)} * ${r.int(1, 999999)} * ${r.int(1, 999999)})`,
        ])();
      case 'float':
        return r.pick([
          () => `(${this.expr('int', d)} / ${r.chance(0.05) ? '0' : r.int(1, 7)})`,
          () => `(${this.expr('float', d)} ${r.pick(['+', '-', '*'])} ${this.expr(r.pick(['int', 'float'] as Kind[]), d)})`,
          () => `float(${r.pick(['"1.5"', '"-2e3"', '"inf"', '"nan"', '"1e400"', '"0.1"', '3', '"x"', '"0x1.8p3"', '"1_000.5"', '"1__0"', '" 1"', '"-Infinity"'])})`,
          () => `(${this.expr('float', d)} // ${r.pick(['1.5', '2', '-0.25'])})`,
          () => `(${this.expr('float', d)} % ${r.pick(['1.5', '7', '-3.0'])})`,
        ])();
      case 'str':
        return r.pick([
          () => `(${this.expr('str', d)} + ${this.expr('str', d)})`,
          () => `${this.expr('str', d)}.${r.pick(['upper', 'lower', 'strip', 'title', 'capitalize', 'lstrip', 'rstrip'])}()`,
          () => `${this.expr('str', d)}.replace(${JSON.stringify(r.pick(['a', ',', ' ', '']))}, ${this.strLit()})`,
          () => `${JSON.stringify(r.pick(['-', ', ', '', '/']))}.join(${this.expr('list', d)}[:0] + ${this.strList(d)})`,
          () => `${this.expr('str', d)}[${r.int(-5, 5)}:${r.int(-5, 8)}:${r.pick([1, 2, -1, 3])}]`,
          () => `str(${this.expr(r.pick(['int', 'float', 'list', 'dict', 'bool', 'tuple'] as Kind[]), d)})`,
          () => `repr(${this.expr(r.pick(['str', 'float', 'tuple'] as Kind[]), d)})`,
          () => `"%s-%d-%r-%x-%o-%e-%f-%g" % (${this.expr('str', d)}, ${this.expr('int', d)}, ${this.expr('str', d)}, ${this.expr('int', d)}, ${this.expr('int', d)}, ${this.expr('float', d)}, ${this.expr('float', d)}, ${this.expr('float', d)})`,
          () => `"{} and {x}".format(${this.expr('int', d)}, x=${this.expr('str', d)})`,
          () => `(${this.expr('str', d)} * ${r.int(-1, 3)})`,
          () => `json.encode(${this.expr(r.pick(['list', 'dict', 'str', 'int', 'float'] as Kind[]), d)})`,
          () => `json.indent(json.encode(${this.expr(r.pick(['list', 'dict'] as Kind[]), d)})${r.chance(0.5) ? ', prefix="> ", indent="  "' : ''})`,
          () => `repr(json.decode(${JSON.stringify(r.pick(JSON_TEXTS))}))`,
          () => `json.indent(${JSON.stringify(r.pick(JSON_TEXTS))})`,
          () => `chr(${r.int(32, 0x3000)})`,
          () => `${this.expr('str', d)}.split(${r.pick(['', '","', '" "', 'None'])})[${r.int(-2, 2)}]`,
          () => (r.chance(0.85) ? `${this.expr('dict', d)}.get(${this.strLit()}, ${this.strLit()})` : `${this.expr('dict', d)}[${this.strLit()}]`),
          () => this.callFunc('str', d),
        ])();
      case 'bool':
        return r.pick([
          () => `(${this.expr('int', d)} ${r.pick(['<', '<=', '>', '>=', '==', '!='])} ${this.expr(r.pick(['int', 'float'] as Kind[]), d)})`,
          () => `(${this.expr('str', d)} ${r.pick(['<', '==', '!=', 'in', 'not in'])} ${this.expr('str', d)})`,
          () => `(${this.expr('int', d)} in ${this.expr('list', d)})`,
          () => `(${this.strLit()} in ${this.expr('dict', d)})`,
          () => `(not ${this.expr('bool', d)})`,
          () => `(${this.expr('bool', d)} ${r.pick(['and', 'or'])} ${this.expr('bool', d)})`,
          () => `${this.expr('str', d)}.${r.pick(['startswith', 'endswith'])}(${this.strLit()})`,
          () => `${this.expr('str', d)}.${r.pick(['isdigit', 'isalpha', 'isupper', 'islower', 'isspace', 'istitle', 'isalnum'])}()`,
          () => `${r.pick(['any', 'all'])}(${this.expr('list', d)})`,
          () => `(${this.expr('list', d)} ${r.pick(['==', '<', '!='])} ${this.expr('list', d)})`,
          () => `(${this.expr('tuple', d)} ${r.pick(['<', '==', '>='])} ${this.expr('tuple', d)})`,
        ])();
      case 'list':
        return r.pick([
          () => `[${this.expr('int', d)}, ${this.expr('int', d)}, ${this.expr('int', d)}]`,
          () => `[${this.vars.length > 0 ? `${this.expr('int', d)} * k` : 'k'} for k in range(${r.int(-2, 6)}) if k != ${r.int(0, 4)}]`,
          () => `sorted(${this.expr('list', d)}${r.chance(0.4) ? ', reverse=True' : ''})`,
          () => `reversed(${this.expr('list', d)})`,
          () => `list(range(${r.int(-5, 5)}, ${r.int(-5, 12)}, ${r.pick([1, 2, -1, -3])}))`,
          () => `(${this.expr('list', d)} + ${this.expr('list', d)})`,
          () => `${this.expr('list', d)}[${r.int(-3, 3)}:${r.int(-3, 6)}]`,
          () => `[len(w) for w in ${this.strList(d)}]`,
          () => `sorted(${this.expr('dict', d)}.values())`,
          () => `[i * j for i, j in enumerate(${this.expr('list', d)})]`,
          () => `[a + b for a, b in zip(${this.expr('list', d)}, ${this.expr('list', d)})]`,
          () => `(${this.expr('list', d)} * ${r.int(0, 2)})`,
          () => this.callFunc('list', d),
        ])();
      case 'dict':
        return r.pick([
          () => `{${this.strLit()}: ${this.expr('int', d)}, ${this.strLit()}: ${this.expr('int', d)}}`,
          () => `{w: len(w) for w in ${this.strList(d)}}`,
          () => `dict(zip(${this.strList(d)}, ${this.expr('list', d)}))`,
          () => `dict(${this.expr('dict', d)}, extra=${this.expr('int', d)})`,
        ])();
      case 'tuple':
        return r.pick([
          () => `(${this.expr('int', d)}, ${this.expr('str', d)})`,
          () => `tuple(${this.expr('list', d)})`,
          () => `${this.expr('dict', d)}.items()[${r.int(-1, 1)}]`,
          () => `${this.expr('str', d)}.partition(${JSON.stringify(r.pick([',', ' ', 'a']))})`,
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
        return r.pick(['1.5', '0.1', '1e20', '2.5e-7', '123.0', '1e6', '100000.0', '3.0', '-0.0']);
      case 'str':
        return this.strLit();
      case 'bool':
        return r.pick(['True', 'False']);
      case 'list':
        return r.pick(['[]', '[3, 1, 2]', '[0, -1, 7, 7]', '[10]']);
      case 'dict':
        return r.pick(['{}', '{"web": 1, "db": 2}', '{"a": 0}']);
      case 'tuple':
        return r.pick(['()', '(1,)', '(1, "a")', '(2, "b", 3)']);
    }
  }

  private callFunc(kind: Kind, d: number): string {
    const candidates = this.funcs.filter((f) => f.returns === kind);
    if (candidates.length === 0) return this.leaf(kind);
    const f = this.rnd.pick(candidates);
    const args = Array.from({ length: f.arity }, () => this.expr('int', d));
    return `${f.name}(${args.join(', ')})`;
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
      lines.push(`        parts.append(w.strip().upper())`);
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
    items.insert(${r.int(-3, 3)}, ${this.expr('int', 1)})
    items.append(len(items))
    first = items.pop(0)
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
      () => `print(zip(${this.expr('list', 1)}, [4, 5]), enumerate(${this.expr('list', 1)}, ${r.int(-2, 2)}), tuple(reversed(${this.expr('list', 1)})), any([x > 2 for x in ${this.expr('list', 1)}]))`,
    ];
    return r.pick(snippets)();
  }

  program(statements: number): string {
    const r = this.rnd;
    const lines: string[] = [];
    for (let i = 0; i < statements; i++) {
      const roll = r.next();
      if (roll < 0.12) {
        lines.push(this.snippet());
      } else if (roll < 0.22) {
        lines.push(this.defineFunction());
      } else if (roll < 0.42) {
        const kind = r.pick(['int', 'str', 'list', 'dict', 'float', 'bool', 'tuple'] as Kind[]);
        const name = this.fresh('v');
        lines.push(`${name} = ${this.expr(kind, 3)}`);
        this.vars.push({ name, kind });
      } else if (roll < 0.45 && this.flags.set) {
        lines.push(`print(sorted(set(${this.expr('list', 2)}) | set(${this.expr('list', 2)})))`);
      } else if (roll < 0.5 && this.flags.recursion) {
        const name = this.fresh('w');
        lines.push(`def ${name}(n):\n    acc = []\n    while n > 0:\n        acc.append(n % 7)\n        n //= 3\n    return acc`);
        lines.push(`print(${name}(${this.expr('int', 2)}))`);
      } else {
        const kind = r.pick(['int', 'str', 'list', 'dict', 'float', 'bool', 'tuple'] as Kind[]);
        lines.push(`print(${this.expr(kind, 3)})`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

export function generateProgram(seed: number): GeneratedProgram {
  const rnd = new Random(seed);
  const flags = { set: rnd.chance(0.2), recursion: rnd.chance(0.2) };
  const source = new Generator(rnd, flags).program(rnd.int(4, 14));
  return { seed, source, flags };
}
