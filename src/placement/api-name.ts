// Incus' IsAPIName rule, which migration-manager applies to targets, projects, pools and
// network names: 1 to 64 characters, no whitespace, none of $ ? & + " ' ` * /, and starting
// and ending with a letter or digit.

const FORBIDDEN = /[\s$?&+"'`*/]/u;
const ALNUM = /^[\p{L}\p{N}]$/u;

const PLAIN_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._:@%=,;<>!#^(){}[\]|~-]{0,62}[A-Za-z0-9])?$/;

/** Why `name` is not a valid API name, or undefined if it is one. */
export function apiNameProblem(name: string): string | undefined {
  if (PLAIN_NAME.test(name)) return undefined;
  const chars = [...name];
  if (chars.length === 0) return 'it is empty';
  if (chars.length > 64) return 'it is longer than 64 characters';
  if (FORBIDDEN.test(name)) return 'it contains whitespace or one of $ ? & + " \' ` * /';
  if (!ALNUM.test(chars[0]) || !ALNUM.test(chars[chars.length - 1])) return 'it must start and end with a letter or digit';
  return undefined;
}
