import { expect } from 'vitest';

/** The step outputs as the runner reads a GITHUB_OUTPUT file written in heredoc blocks. */
export function readStepOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!block) continue;
    const end = lines.indexOf(block[2]!, i + 1);
    expect(end, `output ${block[1]} is not closed`).toBeGreaterThan(i);
    outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}
