// A seeded generator of include expressions from expr-lang's grammar (v1.17) over
// migration-manager's instance environment, for the differential fuzzer. Most expressions are
// typed to give true or false, weighted towards the shapes batches use (fields, comparisons,
// regular expressions, tags, predicates over disks and NICs); the rest of the language —
// every builtin, time methods, ?? and ranges, pipes, slices, optional chaining, let, if/else,
// map literals, int64 overflow — comes often enough to be compared too, and about one
// expression in ten mixes types on purpose so that errors are compared as well.

import { Random } from './random.js';

type Type = 'bool' | 'int' | 'float' | 'string' | 'strings' | 'ints' | 'disks' | 'nics' | 'time' | 'duration' | 'any';
type Element = 'disk' | 'nic' | 'string' | 'int' | 'snapshot';
type Production = readonly [weight: number, build: (depth: number) => string];

const STRINGS = [
  `'web'`, `"db"`, `''`, `'/DC1/vm'`, `'Ubuntu 22.04'`, `'a,b'`, '`x`', `'tag1'`, `'mytag'`, `'prod'`, `'ß'`, `'İ'`, `'ΣΟΦΟΣ'`, `'ǅ'`,
  `'\\u00e9'`, `'x86_64'`, `'vcenter01'`, `'linux'`, `'ubuntu'`, `'/a/b'`, `'2025'`, `'ﬃ'`, `'42'`, `' pad '`, `'1.5'`, `'tag.env'`,
];
const PATTERNS = [
  `'foo'`, `'^/DC1/'`, `'01$'`, `'^/a/[^/]+/c*'`, `'(?i)WIN'`, '`\\d+`', `'^$'`, `'a|b'`, `'Incus migrations'`, `'^/path/to/bar$'`,
  `'mydisk'`, `'[a-z]+-\\\\d+'`, `'(?i)ubuntu'`, `'^[^/]'`, `'é'`, `'\\\\.vmdk$'`, `'(?<=a)b'`, `'a{2,}'`, `'.'`,
];
const CATEGORIES = [`'mycategory'`, `'category_1'`, `'*'`, `'env'`, `'nope'`, `''`];
const TAGS = [`'tag1'`, `'mytag'`, `'prod'`, `'eu'`, `'tag'`, `''`, `'tag1,tag2'`, `'a,b,c'`, `'x'`];
const INTS = ['0', '1', '2', '4', '-1', '3', '8', '1024*1024*1024*8', '0x10', '1_000', '0o17', '0b101', '64', '-3', '100'];
const BIG_INTS = ['9007199254740993', '9223372036854775807', '4611686018427387904', '-9223372036854775807', '1 << 2'];
const FLOATS = ['0.5', '2.0', '1e3', '.25', '2.5', '-1.5', '1e-3', '3.0'];
const TIMES = [`'2025-01-01'`, `'2025-06-02T08:15:00Z'`, `'2024-02-29 12:00:00'`, `'12:30:00'`, `'not a date'`];
const DURATIONS = [`'1h'`, `'24h'`, `'90m'`, `'1h30m'`, `'-2s'`, `'1.5h'`, `'x'`, `'8760h'`];
const LAYOUTS = [`'2006-01-02'`, `'2006'`, `'Jan 2, 2006 at 3:04pm (MST)'`, `'15:04:05.000'`, `'Monday'`, `'2006-01-02T15:04:05Z07:00'`];

const STRING_FIELDS = ['name', 'location', 'os', 'source', 'uuid', 'architecture', 'description', 'os_description', 'source_type', 'distribution_version', 'source_specific_id', 'os_template'];
const NAMED_STRING_FIELDS = ['os_type', 'distribution'];
const BOOL_FIELDS = ['tpm', 'running', 'secure_boot', 'background_import', 'legacy_boot'];
const CONFIG_KEYS = [`'vmware.resource_pool'`, `'tag.mycategory'`, `'tag.env'`, `'missing'`, `'tag.'`, `'constructor'`];
const TIME_METHODS_INT = ['Year', 'Day', 'Hour', 'Minute', 'Second', 'Nanosecond', 'YearDay', 'Unix', 'UnixMilli', 'UnixMicro', 'UnixNano'];
const TIME_METHODS_OTHER = ['Month', 'Weekday', 'IsZero', 'String', 'UTC', 'Local', 'Location', 'Zone', 'Date', 'Clock', 'ISOWeek', 'IsDST', 'MarshalText', 'GoString', 'Round', 'Truncate'];
const DURATION_METHODS = ['Hours', 'Minutes', 'Seconds', 'Milliseconds', 'Microseconds', 'Nanoseconds', 'String', 'Abs'];

export function generateExpression(seed: number): string {
  return new Generator(new Random(seed)).expression();
}

class Generator {
  /** The element type of each enclosing predicate, innermost last. */
  private readonly elements: Element[] = [];

  constructor(private readonly random: Random) {}

  expression(): string {
    return this.random.chance(0.08) ? this.of('any', 3) : this.of('bool', this.random.int(1, 4));
  }

  private of(type: Type, depth: number): string {
    const productions = this.productions(type);
    const leaves = productions.filter(([, , leaf]) => leaf);
    const choices = depth <= 0 ? leaves : productions;
    const [, build] = this.random.weighted(choices.map(([weight, fn]) => [weight, [weight, fn] as Production]));
    return build(depth - 1);
  }

  private pick<T>(items: readonly T[]): T {
    return this.random.pick(items);
  }

  private chance(p: number): boolean {
    return this.random.chance(p);
  }

  /** `#`, or a field of `#`, when the innermost predicate's element has the type. */
  private element(type: Type): string | undefined {
    const element = this.elements[this.elements.length - 1];
    if (element === undefined) return undefined;
    const dot = this.chance(0.5) ? '.' : '#.';
    switch (element) {
      case 'disk':
        if (type === 'bool') return `${dot}${this.pick(['shared', 'supported', 'background_import_verified'])}`;
        if (type === 'int') return `${dot}capacity`;
        if (type === 'string') return `${dot}name`;
        return undefined;
      case 'nic':
        if (type === 'string') return `${dot}${this.pick(['ipv4_address', 'hardware_address', 'location', 'ipv6_address', 'source_specific_id'])}`;
        return undefined;
      case 'snapshot':
        return type === 'string' ? `${dot}name` : undefined;
      case 'string':
        return type === 'string' ? '#' : undefined;
      case 'int':
        return type === 'int' ? '#' : undefined;
    }
  }

  private predicate(name: string, list: Type, body: Type, depth: number): string {
    const [collection, element] = this.list(list, depth);
    this.elements.push(element);
    const inner = this.of(body, depth);
    this.elements.pop();
    return `${name}(${collection}, ${inner})`;
  }

  /** A list expression of the given type and the type of its elements. */
  private list(type: Type, depth: number): [string, Element] {
    switch (type) {
      case 'disks':
        return [this.of('disks', depth), 'disk'];
      case 'nics':
        return [this.of('nics', depth), 'nic'];
      case 'ints':
        return [this.of('ints', depth), 'int'];
      default:
        return [this.of('strings', depth), 'string'];
    }
  }

  private listType(): Type {
    return this.random.weighted([[5, 'disks'], [3, 'nics'], [4, 'strings'], [2, 'ints']] as const);
  }

  private productions(type: Type): (readonly [number, (depth: number) => string, boolean?])[] {
    const d = (t: Type, depth: number) => this.of(t, depth);
    const leaf = true;
    switch (type) {
      case 'bool': {
        const element = this.element('bool');
        return [
          [6, () => this.pick(BOOL_FIELDS), leaf],
          [1, () => this.pick(['true', 'false']), leaf],
          ...(element ? [[6, () => element, leaf] as const] : []),
          [10, (n) => `${d('int', n)} ${this.pick(['<', '<=', '>', '>=', '==', '!='])} ${d('int', n)}`],
          [2, (n) => `${d('int', n)} ${this.pick(['<', '>='])} ${d('int', n)} ${this.pick(['<', '<='])} ${d('int', n)}`],
          [3, (n) => `${d(this.pick(['int', 'float']), n)} ${this.pick(['<', '>', '==', '!=', '>='])} ${d('float', n)}`],
          [10, (n) => `${d('string', n)} ${this.pick(['==', '!=', '<', '>=', 'contains', 'startsWith', 'endsWith', 'not contains', 'not startsWith', 'not endsWith'])} ${d('string', n)}`],
          [8, (n) => `${d('string', n)} ${this.pick(['matches', 'not matches'])} ${this.pick(PATTERNS)}`],
          [8, (n) => `${d('bool', n)} ${this.pick(['and', 'or', '&&', '||'])} ${d('bool', n)}`],
          [3, (n) => `(${d('bool', n)} ${this.pick(['and', 'or'])} ${d('bool', n)}) ${this.pick(['and', 'or'])} ${d('bool', n)}`],
          [4, (n) => {
            const operand = d('bool', n);
            return this.pick([`not ${operand}`, `!${operand}`, `not (${operand})`, `!(${operand})`]);
          }],
          [6, (n) => `${d('string', n)} ${this.pick(['in', 'not in'])} ${d('strings', n)}`],
          [2, (n) => `${d('int', n)} ${this.pick(['in', 'not in'])} ${d('ints', n)}`],
          [2, () => `${this.pick(CONFIG_KEYS)} ${this.pick(['in', 'not in'])} config`],
          [1, () => `${this.pick([`'name'`, `'Name'`, `'capacity'`, `'nope'`])} in disks[0]`],
          [8, (n) => {
            const list = this.listType();
            return this.predicate(this.pick(['any', 'all', 'none', 'one']), list, 'bool', n);
          }],
          [2, (n) => `${this.pick(['any', 'none'])}(split(${d('string', n)}, ','), # == ${this.pick(TAGS)})`],
          [7, () => `${this.pick(['has_tag', 'matches_tag'])}(${this.pick(CATEGORIES)}, ${this.pick(TAGS)})`],
          [4, (n) => `${this.pick(['path_base', 'path_dir'])}(${d('string', n)}) ${this.pick(['==', '!='])} ${this.pick([...STRINGS, `'web-01'`, `'/a/b'`, `'.'`, `'/'`])}`],
          [2, (n) => `${d('bool', n)} ? ${d('bool', n)} : ${d('bool', n)}`],
          [2, (n) => `(${d('any', n)}) ${this.pick(['==', '!='])} (${d('any', n)})`],
          [4, (n) => `${this.pick(['hasPrefix', 'hasSuffix'])}(${d('string', n)}, ${d('string', n)})`],
          [2, (n) => `${d('string', n)} in config`],
          [4, (n) => `${d('time', n)} ${this.pick(['<', '>', '==', '!=', '<=', '>='])} ${d('time', n)}`],
          [3, (n) => `${d('time', n)}.${this.pick(['Before', 'After', 'Equal'])}(${d('time', n)})`],
          [1, (n) => `${d('time', n)}.IsZero()`],
          [2, (n) => `${d('duration', n)} ${this.pick(['<', '>', '=='])} ${d('duration', n)}`],
          [2, (n) => `${d('string', n)} ?? ${d('string', n)} ${this.pick(['==', '!='])} ${d('string', n)}`],
          [1, (n) => `(${d('bool', n)} ?? false)`],
          [1, (n) => `${d('bool', n)} ?: ${d('bool', n)}`],
          [1, (n) => `let x = ${d('int', n)}; x ${this.pick(['>', '==', '<'])} ${d('int', n)}`],
          [1, (n) => `if ${d('bool', n)} { ${d('bool', n)} } else { ${d('bool', n)} }`],
          [1, (n) => `${d('string', n)} | ${this.pick(['hasPrefix', 'hasSuffix'])}(${d('string', n)})`],
          [1, () => `${this.pick(['SupportsBackgroundImport()', '$env.tpm', `$env['cpus'] > 2`, 'nics[0]?.ipv4_address == nil', `find(disks, .shared)?.name == nil`])}`],
          [1, (n) => `${d('int', n)} in ${d('int', n)}..${d('int', n)}`],
          [1, (n) => `${this.pick(['bitand', 'bitor', 'bitxor', 'bitnand', 'bitshl', 'bitshr', 'bitushr'])}(${d('int', n)}, ${d('int', n)}) ${this.pick(['==', '>'])} ${d('int', n)}`],
          [1, (n) => `type(${d('any', n)}) == ${this.pick([`'int'`, `'string'`, `'float'`, `'bool'`, `'array'`, `'map'`, `'nil'`, `'time.Time'`, `'struct'`])}`],
          [1, (n) => `{'a': ${d('int', n)}, b: ${d('string', n)}}.a ${this.pick(['==', '>'])} ${d('int', n)}`],
        ];
      }
      case 'int': {
        const element = this.element('int');
        return [
          [8, () => this.pick(['cpus', 'memory', 'cpus', 'len(disks)', 'len(nics)']), leaf],
          [6, () => this.pick(INTS), leaf],
          [1, () => this.pick(BIG_INTS).replace(' << 2', ''), leaf],
          ...(element ? [[6, () => element, leaf] as const] : []),
          ...(this.elements.length > 0 ? [[1, () => '#index', leaf] as const] : []),
          [3, (n) => `${d('disks', n)}[${this.pick(['0', '1', '-1', '2'])}].capacity`],
          [5, (n) => `${d('int', n)} ${this.pick(['+', '-', '*', '%', '*'])} ${d('int', n)}`],
          [1, (n) => `(${d('int', n)} ${this.pick(['+', '-', '*'])} ${d('int', n)})`],
          [2, (n) => `-${d('int', n)}`],
          [4, (n) => `len(${d(this.pick(['string', 'strings', 'disks', 'nics', 'ints']), n)})`],
          [3, (n) => {
            const list = this.listType();
            return this.predicate('count', list, 'bool', n);
          }],
          [2, (n) => `len(${this.predicate('filter', 'disks', 'bool', n)})`],
          [2, (n) => `${this.pick(['indexOf', 'lastIndexOf'])}(${d('string', n)}, ${d('string', n)})`],
          [2, (n) => `int(${d(this.pick(['float', 'string', 'int']), n)})`],
          [2, (n) => `${this.pick(['abs'])}(${d('int', n)})`],
          [2, (n) => `${this.pick(['max', 'min'])}(${d('int', n)}${this.chance(0.7) ? `, ${d('int', n)}` : ''})`],
          [2, (n) => `sum(${d('ints', n)})`],
          [1, (n) => `sum(disks, .capacity)`.replace('disks', d('disks', n))],
          [1, (n) => this.predicate(this.pick(['findIndex', 'findLastIndex']), 'disks', 'bool', n)],
          [2, (n) => `${this.pick(['first', 'last'])}(${d('ints', n)})`],
          [2, (n) => `${d('time', n)}.${this.pick(TIME_METHODS_INT)}()`],
          [1, (n) => `int(${d('time', n)}.${this.pick(['Month', 'Weekday'])}())`],
          [1, (n) => `${d('duration', n)}.${this.pick(['Milliseconds', 'Microseconds', 'Nanoseconds'])}()`],
          [1, (n) => `${d('int', n)} ?? ${d('int', n)}`],
          [1, (n) => `bitnot(${d('int', n)})`],
          [1, (n) => `reduce(${d('ints', n)}, #acc + #, ${d('int', n)})`],
          [1, (n) => `${d('ints', n)}[${this.pick(['0', '-1', '1', '5'])}]`],
        ];
      }
      case 'float':
        return [
          [6, () => this.pick(FLOATS), leaf],
          [4, (n) => `${d('int', n)} / ${d(this.pick(['int', 'float']), n)}`],
          [3, (n) => `${d(this.pick(['int', 'float']), n)} ${this.pick(['**', '^'])} ${d(this.pick(['int', 'float']), n)}`],
          [2, (n) => `${d('float', n)} ${this.pick(['+', '-', '*'])} ${d(this.pick(['int', 'float']), n)}`],
          [2, (n) => `float(${d(this.pick(['int', 'string']), n)})`],
          [3, (n) => `${this.pick(['ceil', 'floor', 'round', 'abs'])}(${d(this.pick(['float', 'int']), n)})`],
          [2, (n) => `${this.pick(['mean', 'median'])}(${d('ints', n)})`],
          [1, (n) => `${this.pick(['max', 'min'])}(${d('float', n)}, ${d('int', n)})`],
          [1, (n) => `${d('duration', n)}.${this.pick(['Hours', 'Minutes', 'Seconds'])}()`],
          [1, (n) => `-${d('float', n)}`],
        ];
      case 'string': {
        const element = this.element('string');
        return [
          [10, () => this.pick(STRING_FIELDS), leaf],
          [1, () => this.pick(NAMED_STRING_FIELDS), leaf],
          [8, () => this.pick(STRINGS), leaf],
          [4, () => `config[${this.pick(CONFIG_KEYS)}]`, leaf],
          [1, () => `config.${this.pick(['missing', 'constructor', 'vmware'])}`, leaf],
          ...(element ? [[8, () => element, leaf] as const] : []),
          [2, (n) => `${d('disks', n)}[${this.pick(['0', '-1'])}].name`],
          [1, (n) => `${d('nics', n)}[0].${this.pick(['ipv4_address', 'hardware_address'])}`],
          [5, (n) => `${this.pick(['lower', 'upper', 'trim', 'path_base', 'path_dir', 'trimPrefix', 'trimSuffix', 'toBase64', 'string'])}(${d('string', n)})`],
          [2, (n) => `${this.pick(['trim', 'trimPrefix', 'trimSuffix'])}(${d('string', n)}, ${this.pick([`'/'`, `'x'`, `'web'`, `' '`, `''`])})`],
          [3, (n) => `${d('string', n)} + ${d('string', n)}`],
          [2, (n) => `string(${d(this.pick(['int', 'float', 'bool', 'time', 'duration', 'strings', 'any']), n)})`],
          [2, (n) => `${this.pick(['replace'])}(${d('string', n)}, ${this.pick([`'/'`, `'a'`, `''`])}, ${this.pick([`'-'`, `''`, `'ß'`])})`],
          [1, (n) => `repeat(${d('string', n)}, ${this.pick(['0', '2', '-1', '3'])})`],
          [2, (n) => `join(${d('strings', n)}${this.chance(0.5) ? `, ${this.pick([`','`, `''`, `' '`])}` : ''})`],
          [3, (n) => `${d('strings', n)}[${this.pick(['0', '-1', '1', '2', '-3'])}]`],
          [2, (n) => `${this.pick(['first', 'last'])}(${d('strings', n)})`],
          [1, (n) => `${d('string', n)}[${this.pick(['0', '1:3', ':2', '-2:', '2:1'])}]`],
          [2, (n) => `${d('bool', n)} ? ${d('string', n)} : ${d('string', n)}`],
          [1, (n) => `fromBase64(${this.pick([`'d2Vi'`, `'!!'`, `'YQ=='`])})`],
          [1, (n) => `${d('time', n)}.Format(${this.pick(LAYOUTS)})`],
          [1, (n) => `${d('time', n)}.${this.pick(['String', 'Month', 'Weekday', 'Location'])}().String()`],
          [1, (n) => `${d('duration', n)}.String()`],
          [1, (n) => `${d('duration', n)}.${this.pick(DURATION_METHODS)}()`],
          [1, (n) => `get(config, ${this.pick(CONFIG_KEYS)})`],
          [1, (n) => `${d('string', n)} | ${this.pick(['lower', 'upper', 'trim'])}()`],
          [1, (n) => this.predicate(this.pick(['find', 'findLast']), 'strings', 'bool', n)],
          [1, (n) => `nics[0].uuid${this.pick(['.String()', ''])}`],
          [1, (n) => `toJSON(${d(this.pick(['int', 'string', 'strings', 'bool', 'float']), n)})`],
        ];
      }
      case 'strings':
        return [
          [6, () => `[${Array.from({ length: this.random.int(0, 4) }, () => this.pick(STRINGS)).join(', ')}]`, leaf],
          [3, () => this.pick(['map(disks, .name)', 'map(nics, .ipv4_address)', 'map(snapshots, #.name)', 'keys(config)', 'values(config)']), leaf],
          [4, (n) => `split(${d('string', n)}, ${this.pick([`','`, `'/'`, `''`, `' '`])}${this.chance(0.2) ? `, ${this.pick(['0', '1', '2', '-1'])}` : ''})`],
          [1, (n) => `splitAfter(${d('string', n)}, ${this.pick([`','`, `'/'`])})`],
          [3, (n) => this.predicate('filter', 'strings', 'bool', n)],
          [1, (n) => this.predicate('map', 'strings', 'string', n)],
          [2, (n) => `${this.pick(['sort', 'reverse', 'uniq'])}(${d('strings', n)})`],
          [1, (n) => `sort(${d('strings', n)}, ${this.pick([`'desc'`, `'asc'`, `'up'`])})`],
          [1, (n) => `take(${d('strings', n)}, ${this.pick(['0', '1', '2', '9', '-1'])})`],
          [1, (n) => `concat(${d('strings', n)}, ${d('strings', n)})`],
          [1, (n) => `flatten([${d('strings', n)}, ${d('strings', n)}])`],
          [1, (n) => `${d('strings', n)}[${this.pick(['1:', ':1', '0:2', '-2:'])}]`],
          [1, (n) => `map(${this.predicate('sortBy', 'disks', 'int', n)}, .name)`],
          [1, (n) => `keys(groupBy(${d('disks', n)}, .name))`],
        ];
      case 'ints':
        return [
          [5, () => `[${Array.from({ length: this.random.int(0, 4) }, () => this.pick(INTS)).join(', ')}]`, leaf],
          [3, () => this.pick(['map(disks, .capacity)', 'map(disks, #index)']), leaf],
          [2, (n) => `${this.pick(['1', '0', '-2', 'cpus'])}..${this.pick(['3', '0', '5', 'cpus'])}`],
          [2, (n) => `${this.pick(['sort', 'reverse', 'uniq'])}(${d('ints', n)})`],
          [1, (n) => this.predicate('filter', 'ints', 'bool', n)],
          [1, (n) => this.predicate('map', 'ints', 'int', n)],
          [1, (n) => `concat(${d('ints', n)}, ${d('ints', n)})`],
          [1, (n) => `take(${d('ints', n)}, ${this.pick(['1', '2'])})`],
        ];
      case 'disks':
        return [
          [8, () => 'disks', leaf],
          [2, (n) => this.predicate('filter', 'disks', 'bool', n)],
          [1, (n) => `${this.pick(['reverse', 'uniq'])}(${d('disks', n)})`],
          [1, (n) => this.predicate('sortBy', 'disks', this.pick(['int', 'string'] as const), n)],
          [1, (n) => `take(${d('disks', n)}, ${this.pick(['1', '2'])})`],
          [1, (n) => `disks[${this.pick(['1:', ':1', ':'])}]`],
        ];
      case 'nics':
        return [
          [8, () => 'nics', leaf],
          [2, (n) => this.predicate('filter', 'nics', 'bool', n)],
        ];
      case 'time':
        return [
          [8, () => 'last_update_from_source', leaf],
          [3, () => `date(${this.pick(TIMES)})`, leaf],
          [1, () => `date('2025-06-02', '2006-01-02', ${this.pick([`'Europe/Paris'`, `'UTC'`, `'Nowhere/City'`])})`, leaf],
          [1, (n) => `${d('time', n)}.${this.pick(['UTC', 'Local'])}()`],
          [1, (n) => `${d('time', n)} ${this.pick(['+', '-'])} ${d('duration', n)}`],
          [1, (n) => `${d('time', n)}.Add(${d('duration', n)})`],
          [1, (n) => `${d('time', n)}.AddDate(${this.pick(['0', '1', '-1'])}, ${this.pick(['0', '13', '-1'])}, ${this.pick(['0', '31', '-1'])})`],
          [1, (n) => `${d('time', n)}.${this.pick(['Truncate', 'Round'])}(${d('duration', n)})`],
        ];
      case 'duration':
        return [
          [4, () => `duration(${this.pick(DURATIONS)})`, leaf],
          [3, (n) => `${d('time', n)} - ${d('time', n)}`],
          [1, (n) => `${d('time', n)}.Sub(${d('time', n)})`],
          [1, (n) => `${d('duration', n)} ${this.pick(['+', '-'])} ${d('duration', n)}`],
          [1, (n) => `${d('duration', n)} * ${d('int', n)}`],
          [1, (n) => `${d('duration', n)}.Abs()`],
        ];
      case 'any':
        return [
          [3, (n) => d(this.pick(['bool', 'int', 'string', 'float', 'strings', 'ints', 'time', 'duration', 'disks'] as const), n), leaf],
          [2, () => this.pick(['nil', 'config', 'disks[0]', '[]', `{'k': 1}`]), leaf],
          [2, (n) => `${d('bool', n)} ? ${d('any', n)} : ${d('any', n)}`],
          [3, (n) => `(${d('any', n)}) ${this.pick(['+', '-', '*', '/', '%', '<', '>', 'in', 'matches', 'and', 'or', 'contains', '==', '..', '??', '**'])} (${d('any', n)})`],
          [1, (n) => `${d('any', n)}[${d('any', n)}]`],
          [1, (n) => `${this.pick(['len', 'first', 'last', 'abs', 'int', 'float', 'string', 'lower', 'keys', 'sum', 'max', 'reverse', 'sort', 'uniq', 'flatten', 'toJSON', 'type', 'trim', 'path_base', 'has_tag'])}(${d('any', n)})`],
          [1, (n) => `${this.pick(['any', 'all', 'filter', 'map', 'count', 'find', 'sum', 'groupBy'])}(${d('any', n)}, ${d('any', n)})`],
          [1, () => `last_update_from_source.${this.pick(TIME_METHODS_OTHER)}()`],
          [1, (n) => `!${d('any', n)}`],
          [1, (n) => `-${d('any', n)}`],
        ];
    }
  }
}
