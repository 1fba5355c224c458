import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/model/generated/schemas.js';
import { CONTROL_CHARACTER, LINE_TERMINATOR, NAME_FORBIDDEN_CLASS, TERMINAL_UNSAFE } from '../../src/text/control.js';

const matches = (pattern: RegExp, text: string) => new RegExp(pattern.source).test(text);

describe('control characters', () => {
  it('the schemas refuse in names exactly the class the code defines', () => {
    const defs = SCHEMAS['common.schema.json'].$defs as Record<string, { pattern: string }>;
    expect(defs.NoControlCharacters!.pattern).toBe(`^[^${NAME_FORBIDDEN_CLASS}]*$`);
  });

  it.each([
    ['LF', '\n'], ['CR', '\r'], ['CRLF', '\r\n'], ['VT', '\v'], ['FF', '\f'], ['NEL', '\u0085'], ['LS', '\u2028'], ['PS', '\u2029'],
  ])('%s is a line terminator', (_, terminator) => {
    expect(`a${terminator}b`.replace(LINE_TERMINATOR, ' ')).toBe('a b');
  });

  it.each([
    ['NUL', '\u0000', true], ['BEL', '\u0007', true], ['ESC', '\u001b', true], ['DEL', '\u007f', true], ['CSI (C1)', '\u009b', true],
    ['RLO', '\u202e', true], ['LRI', '\u2066', true], ['PDI', '\u2069', true], ['tab', '\t', false], ['newline', '\n', false],
    ['space', ' ', false], ['é', 'é', false], ['zero-width space', '\u200b', false],
  ])('%s reaches a terminal only when it is harmless there', (_, character, unsafe) => {
    expect(matches(TERMINAL_UNSAFE, character)).toBe(unsafe);
  });

  it('tab and newline are controls everywhere but in the terminal', () => {
    expect(matches(CONTROL_CHARACTER, '\t')).toBe(true);
    expect(matches(CONTROL_CHARACTER, '\n')).toBe(true);
  });
});
