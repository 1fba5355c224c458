/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  /** `columns`: the terminal's width, when it is one. */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The `format_version` of every `--json` document the CLI prints. */
export const JSON_FORMAT_VERSION = '1.0';

export function printJson(io: CliIo, document: Record<string, unknown>): void {
  io.stdout.write(JSON.stringify({ format_version: JSON_FORMAT_VERSION, ...document }, null, 2) + '\n');
}

export function useColor(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io[stream].isTTY === true;
}
