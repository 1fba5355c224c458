import type { Command, OptionSpec } from './command.js';

export function renderMainHelp(commands: Command[], globals: Record<string, OptionSpec>): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Ferry — GitOps for VM migration campaigns (VMware → Incus).',
    '',
    'Usage: ferry COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    ...renderOptions(globals),
    '',
    'Examples:',
    ...commands.flatMap((c) => c.examples.slice(0, 1)).map((e) => `  ${e}`),
    '',
    'Run "ferry help COMMAND" or "ferry COMMAND --help" for a command\'s options.',
    '',
  ].join('\n');
}

export function renderCommandHelp(command: Command, globals: Record<string, OptionSpec>): string {
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    ...(command.description ? ['', command.description] : []),
    '',
    ...(Object.keys(command.options).length > 0 ? ['Options:', ...renderOptions(command.options), ''] : []),
    'Options for every command:',
    ...renderOptions(globals),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

function renderOptions(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}
