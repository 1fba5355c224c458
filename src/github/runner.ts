// How an Action talks back to the runner: workflow commands on stdout (`::add-mask::`,
// `::error::`) and the step's outputs appended to the file named by GITHUB_OUTPUT. Both formats
// are small enough to write here rather than depend on @actions/core.

import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/** A workflow command's message: the runner reads `%`, CR and LF as escapes, so a message stays one line. */
export function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The lines that make the runner replace a secret by *** in the job log (one per line of the secret). */
export function maskCommands(secret: string): string[] {
  return secret
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => `::add-mask::${commandData(line)}\n`);
}

export function errorCommand(message: string): string {
  return `::error::${commandData(message)}\n`;
}

/**
 * Appends outputs in the heredoc form `name<<DELIMITER`, which holds any value, multi-line
 * included; the delimiter is random so a value cannot end the block early.
 */
export function appendOutputs(file: string, outputs: Record<string, string>): void {
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name} contains its delimiter`);
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  appendFileSync(file, text);
}
