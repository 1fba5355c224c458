import { describe, expect, it } from 'vitest';
import type { ExprNode } from '../../src/expr/ast.js';
import { Float64 } from '../../src/expr/float.js';
import { compileExpression } from '../../src/expr/index.js';

/** A compact S-expression of a tree, to pin precedence and desugaring. */
function shape(node: ExprNode): string {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
    case 'map':
      return `{${node.entries.map((entry) => `${shape(entry.key)}: ${shape(entry.value)}`).join(' ')}}`;
    case 'env':
      return '$env';
    case 'variable':
      return node.name;
    case 'slice':
      return `${shape(node.object)}[${node.from ? shape(node.from) : ''}:${node.to ? shape(node.to) : ''}]`;
    case 'chain':
      return `(?. ${shape(node.expression)})`;
    case 'method':
      return `(.${node.name} ${[node.object, ...node.args].map(shape).join(' ')})`;
    case 'let':
      return `(let ${node.name} ${shape(node.value)} ${shape(node.body)})`;
    case 'sequence':
      return `(; ${node.expressions.map(shape).join(' ')})`;
    case 'array':
      return `[${node.elements.map(shape).join(' ')}]`;
    case 'field':
      return node.name;
    case 'pointer':
      return `#${node.name}${node.depth}`;
    case 'member':
      return `${shape(node.object)}.${node.name}`;
    case 'index':
      return `${shape(node.object)}[${shape(node.index)}]`;
    case 'unary':
      return `(${node.operator} ${shape(node.operand)})`;
    case 'binary':
      return `(${node.operator} ${shape(node.left)} ${shape(node.right)})`;
    case 'logical':
      return `(${node.operator} ${node.operands.map(shape).join(' ')})`;
    case 'conditional':
      return `(? ${shape(node.test)} ${shape(node.consequent)} ${shape(node.alternate)})`;
    case 'call':
      return `(${node.name} ${node.args.map(shape).join(' ')})`;
    case 'predicate':
      return `(${node.name} ${[node.collection, node.body].filter((n) => n !== undefined).map((n) => shape(n)).join(' ')})`;
  }
}

function parse(source: string): string {
  const result = compileExpression(source);
  if (!result.ok) throw new Error(`${source}: ${result.errors[0]!.message}`);
  return shape(result.expression.ast);
}

describe('expr-lang syntax as the jsep dialect reads it', () => {
  it.each([
    ['tpm or running and secure_boot', '(or tpm (and running secure_boot))'],
    ['tpm || running && secure_boot', '(or tpm (and running secure_boot))'],
    ['tpm and running and secure_boot or legacy_boot', '(or (and tpm running secure_boot) legacy_boot)'],
    ['(tpm and running) and (secure_boot and legacy_boot)', '(and tpm running secure_boot legacy_boot)'],
    ['not tpm == false', '(== (not tpm) false)'],
    ['!tpm and running', '(and (not tpm) running)'],
    ['cpus + 2 * 3 > 7', '(> (+ cpus (* 2 3)) 7)'],
    ['cpus - 1 - 1 == 2', '(== (- (- cpus 1) 1) 2)'],
    ['-cpus * 2 < 0', '(< (* (- cpus) 2) 0)'],
    ['1 < cpus < 8', '(and (< 1 cpus) (< cpus 8))'],
    ['0 <= cpus < 8 <= memory', '(and (<= 0 cpus) (< cpus 8) (<= 8 memory))'],
    ['(1 < cpus) == true', '(== (< 1 cpus) true)'],
    ["name not in ['a']", '(not (in name ["a"]))'],
    ["name not   matches 'a' or tpm", '(or (not (matches name "a")) tpm)'],
    ["name matches 'a' == true", '(== (matches name "a") true)'],
    ["name startsWith 'a' and name endsWith 'b' and name contains 'c'", '(and (startsWith name "a") (endsWith name "b") (contains name "c"))'],
    ['tpm ? running : secure_boot ? legacy_boot : tpm', '(? tpm running (? secure_boot legacy_boot tpm))'],
    ['tpm or running ? secure_boot : legacy_boot', '(? (or tpm running) secure_boot legacy_boot)'],
    ["disks[0].name == 'x'", '(== disks[0].name "x")'],
    ["config['vmware.resource_pool'] == config.x", '(== config["vmware.resource_pool"] config.x)'],
    ['any(disks, .shared and #.supported)', '(any disks (and #0.shared #0.supported))'],
    ['any(disks, any(nics, #.ipv4_address == ""))', '(any disks (any nics (== #1.ipv4_address "")))'],
    ["count(disks, .shared) > 0 and count([true]) == 1", '(and (> (count disks #0.shared) 0) (== (count [true]) 1))'],
    ["hasPrefix(name, 'a',) and [1, 2,] == [1, 2]", '(and (hasPrefix name "a") (== [1 2] [1 2]))'],
    ['tpm // a comment\n  and /* another */ running', '(and tpm running)'],
    ['  tpm\n\tand\r\n running  ', '(and tpm running)'],
  ])('%j parses as %s', (source, expected) => {
    expect(parse(source)).toBe(expected);
  });

  it.each([
    [`'it\\'s' == "it's"`, `(== "it's" "it's")`],
    [`'\\u00e9\\x41\\101\\n\\t\\\\' == ''`, `(== "éAA\\n\\t\\\\" "")`],
    [`'\\U0001F600' == "😀"`, `(== "😀" "😀")`],
    ['`C:\\path\\d+` == ""', '(== "C:\\\\path\\\\d+" "")'],
    [`"a\rb" == 'a\\nb'`, `(== "a\\nb" "a\\nb")`],
  ])('string literal %s', (source, expected) => {
    expect(parse(source)).toBe(expected);
  });

  it.each([
    ['cpus == 0x1F', 31], ['cpus == 0o17', 15], ['cpus == 0b101', 5], ['cpus == 1_000_000', 1_000_000], ['cpus == 1e3', 1000],
    ['cpus == 2.5', 2.5], ['cpus == .5', 0.5], ['cpus == 7.', 7],
  ])('number literal in %s is %d', (source, value) => {
    const result = compileExpression(source);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const ast = result.expression.ast;
    const literal = ast.kind === 'binary' && ast.right.kind === 'literal' ? ast.right.value : undefined;
    expect(literal instanceof Float64 ? literal.value : literal).toBe(value);
  });

  it('distinguishes int and float literals, so % of a float is a compile error', () => {
    expect(compileExpression('cpus % 2 == 0').ok).toBe(true);
    expect(compileExpression('cpus % 2.0 == 0').ok).toBe(false);
    expect(compileExpression('cpus % 1e1 == 0').ok).toBe(false);
  });

  it('records the position of every node, excluding surrounding parentheses and blanks', () => {
    const source = `( disks[0].name matches 'x' ) and not tpm`;
    const result = compileExpression(source);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const text = (node: { start: number; end: number }) => source.slice(node.start, node.end);
    const ast = result.expression.ast;
    if (ast.kind !== 'logical') throw new Error('not logical');
    const [matches, negation] = ast.operands;
    expect(text(ast)).toBe(source);
    expect(matches && text(matches)).toBe(`disks[0].name matches 'x'`);
    expect(matches?.kind === 'binary' && text(matches.operatorSpan)).toBe('matches');
    expect(matches?.kind === 'binary' && matches.left.kind === 'member' && text(matches.left.nameSpan)).toBe('name');
    expect(matches?.kind === 'binary' && matches.left.kind === 'member' && text(matches.left.object)).toBe('disks[0]');
    expect(negation && text(negation)).toBe('not tpm');
  });
});
