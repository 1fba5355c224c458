import { describe, expect, it } from 'vitest';
import { compileExpression, type ExprErrorCode } from '../../src/expr/index.js';

// Compile errors: the code, the exact offset and length in the source (the YAML loader turns them
// into file:line:column), and the sentence an operator reads.
const COMPILE_ERRORS: ReadonlyArray<readonly [source: string, code: ExprErrorCode, offset: number, length: number, message: string]> = [
  ["locaton matches 'x'", 'expr-unknown-field', 0, 7, "unknown field \"locaton\" (did you mean \"location\"?)"],
  ["disks[0].nam == 'x'", 'expr-unknown-field', 9, 3, "disk has no field \"nam\" (did you mean \"name\"?)"],
  ["CPUs > 2", 'expr-unknown-field', 0, 4, "unknown field \"CPUs\" (did you mean \"cpus\"?)"],
  ["overrides.name == 'x'", 'expr-unknown-field', 0, 9, "unknown field \"overrides\""],
  ["null == name", 'expr-unknown-field', 0, 4, "unknown field \"null\" (the null value is written nil)"],
  ["len == 1", 'expr-unknown-field', 0, 3, "len is a function: call it like len(list | map | string)"],
  ["foo(name)", 'expr-unknown-function', 0, 3, "unknown function \"foo\""],
  ["has_prefix(name, 'a')", 'expr-unknown-function', 0, 10, "unknown function \"has_prefix\" (did you mean \"hasPrefix\"?)"],
  ["startsWith(name, 'a')", 'expr-unknown-function', 0, 10, "unknown function \"startsWith\" (\"startsWith\" is an operator: write a startsWith b)"],
  ["len()", 'expr-arity', 0, 5, "len takes 1 argument, got 0: len(list | map | string)"],
  ["len(disks, nics)", 'expr-arity', 0, 16, "len takes 1 argument, got 2: len(list | map | string)"],
  ["split(name)", 'expr-arity', 0, 11, "split takes 2 or 3 arguments, got 1: split(text, separator[, count])"],
  ["any(disks)", 'expr-arity', 0, 10, "any takes 2 arguments, got 1: any(list, predicate)"],
  ["count()", 'expr-arity', 0, 7, "count takes 1 or 2 arguments, got 0: count(list[, predicate])"],
  ["filter(disks, .shared, 1)", 'expr-arity', 0, 25, "filter takes 2 arguments, got 3: filter(list, predicate)"],
  ["cpus matches 'x'", 'expr-type', 5, 7, "cannot use \"matches\" on an int and a string"],
  ["len(cpus) > 0", 'expr-type', 4, 4, "len needs a list, a map or a string, got an int"],
  ["name > 3", 'expr-type', 5, 1, "cannot compare a string with an int using \">\""],
  ["cpus + 1", 'expr-not-bool', 0, 8, "an include expression must be true or false, but this one gives an int"],
  ["name", 'expr-not-bool', 0, 4, "an include expression must be true or false, but this one gives a string"],
  ["'a' + 1 == 'a1'", 'expr-type', 4, 1, "cannot use \"+\" on a string and an int"],
  ["cpus % 2.0 == 0", 'expr-type', 5, 1, "cannot use \"%\" on an int and a float"],
  ["not cpus", 'expr-type', 4, 4, "\"not\" needs a bool, got an int"],
  ["-name == 1", 'expr-type', 1, 4, "unary \"-\" needs a number, got a string"],
  ["cpus and tpm", 'expr-type', 0, 4, "\"and\" needs bool operands, got an int"],
  ["disks['x']", 'expr-type', 6, 3, "a list index must be an int, got a string"],
  ["config[1] == ''", 'expr-type', 7, 1, "a map[string]string key must be a string, got an int"],
  ["name[0] == 'a'", 'expr-type', 0, 7, "cannot index a string (use hasPrefix, contains or matches on strings)"],
  ["cpus.x == 1", 'expr-type', 5, 1, "cannot read field \"x\" of an int"],
  ["1 in name", 'expr-type', 5, 4, "\"in\" needs a list or a map on its right, got a string (use contains to look for text in a string)"],
  ["'a' in cpus", 'expr-type', 7, 4, "\"in\" needs a list or a map on its right, got an int"],
  ["any(config, # == 'x')", 'expr-type', 4, 6, "any needs a list, got a map[string]string"],
  ["all(disks, .name)", 'expr-type', 11, 5, "the predicate of all must be a bool, got a string"],
  ["count(disks, .name) > 1", 'expr-type', 13, 5, "the predicate of count must be a bool, got a string"],
  ["hasPrefix(cpus, 'a')", 'expr-type', 10, 4, "hasPrefix needs a string here, got an int"],
  ["split(name, ',', 'x')[0] == ''", 'expr-type', 17, 3, "split needs an int here, got a string"],
  ["cpus == 'four'", 'expr-type', 5, 2, "cannot compare an int with a string using \"==\""],
  ["name in [1, 2]", 'expr-type', 5, 2, "cannot look for a string in a []int"],
  ["name matches '(?<=a)b'", 'expr-regex', 13, 9, "invalid regular expression: invalid named capture: `(?<=a)b`"],
  ["name matches 'a(b'", 'expr-regex', 13, 5, "invalid regular expression: missing closing ): `a(b`"],
  ["name matches `[z-a]`", 'expr-regex', 13, 7, "invalid regular expression: invalid character class range: `z-a`"],
  ["", 'expr-syntax', 0, 0, "the expression is empty"],
  ["   ", 'expr-syntax', 0, 0, "the expression is empty"],
  ["name ==", 'expr-syntax', 7, 0, "expected an expression after \"==\""],
  ["(name == 'a'", 'expr-syntax', 0, 1, "this \"(\" is never closed"],
  ["name == 'a')", 'expr-syntax', 11, 1, "expected an operator or the end of the expression, found \")\""],
  ["name == 'a", 'expr-syntax', 8, 2, "the string starting here is never closed (missing '); a '…' or \"…\" string ends on its line, a `raw string` may span lines"],
  ["name = 'a'", 'expr-syntax', 5, 1, "\"=\" is not an operator; use \"==\" to compare"],
  ["name === 'a'", 'expr-syntax', 5, 3, "\"===\" is not an operator; use \"==\""],
  ["name ?? 1 > 0", 'expr-syntax', 10, 1, "the operator \">\" and \"??\" cannot be mixed: wrap either in parentheses"],
  ["name matchs 'a'", 'expr-syntax', 5, 6, "unknown operator \"matchs\" (did you mean \"matches\"?)"],
  ["name 'a'", 'expr-syntax', 5, 3, "expected an operator or the end of the expression, found a string"],
  ["f(a b)", 'expr-syntax', 4, 1, "expected \",\" or \")\", found \"b\""],
  ["[1, 2", 'expr-syntax', 5, 0, "the expression ends too early: expected \",\" or \"]\""],
  ["disks[0", 'expr-syntax', 7, 0, "the expression ends too early: expected \"]\""],
  ["#", 'expr-syntax', 0, 1, "\"#\" can only be used inside a predicate such as filter(list, …) or any(list, …)"],
  [".name == 'x'", 'expr-syntax', 0, 1, "\".field\" can only be used inside a predicate such as filter(list, …) or any(list, …)"],
  ["len(filter(disks, #index > 0)) > 0", 'expr-unknown-field', 18, 6, "unknown pointer #index (#index is the position in map() and reduce())"],
  ["name == '\\d'", 'expr-syntax', 9, 2, "unknown escape \\d in a string; write \\\\ for a backslash, or use a `raw string` for regular expressions"],
  ["1x", 'expr-syntax', 0, 2, "\"1x\" is not a number"],
  ["99999999999999999999 > cpus", 'expr-syntax', 0, 20, "the integer 99999999999999999999 is too large (the largest is 9223372036854775807)"],
  ["cpus?.x == 1", 'expr-type', 6, 1, "cannot read field \"x\" of an int"],
  ["name[1:'a'] == ''", 'expr-type', 7, 3, "a slice bound must be an int, got a string"],
  ["name.len()", 'expr-unknown-field', 5, 3, "string has no method len (only times, durations, months, weekdays, locations and a NIC's uuid have methods)"],
  ["/* open", 'expr-syntax', 0, 7, "the comment starting here is never closed (missing */)"],
  ["a ? b", 'expr-syntax', 5, 0, "the expression ends too early: expected \":\" of the \"? :\" conditional"],
  ["name ** 2 > 1", 'expr-type', 5, 2, "cannot use \"**\" on a string and an int"],
  ["1..'a' == []", 'expr-type', 1, 2, "cannot use \"..\" on an int and a string"],
  ["cpus > 1 |", 'expr-syntax', 10, 0, "the expression ends too early: expected a function name after \"|\""],
  ["tpm and\n  locaton matches 'x'", 'expr-unknown-field', 10, 7, "unknown field \"locaton\" (did you mean \"location\"?)"],
];

describe('compile errors', () => {
  it.each(COMPILE_ERRORS)('%j is %s at %i+%i', (source, code, offset, length, message) => {
    const result = compileExpression(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toEqual({ code, offset, length, message });
  });

  it('reports every independent error of an expression, in source order', () => {
    const result = compileExpression(`cpu > 2 and nmae == 'x' and len(cpus) > 1`);
    expect(result.ok ? [] : result.errors.map((error) => [error.code, error.offset, error.length])).toEqual([
      ['expr-unknown-field', 0, 3],
      ['expr-unknown-field', 12, 4],
      ['expr-type', 32, 4],
    ]);
  });

  it('does not cascade: a misspelt field does not also make its comparison a type error', () => {
    const result = compileExpression(`locaton > 3 and nope(1) == 'x'`);
    expect(result.ok ? [] : result.errors.map((error) => error.code)).toEqual(['expr-unknown-field', 'expr-unknown-function']);
  });
});
