// The hostile corpus (test/budgets/corpus.ts) through every command that evaluates repository
// content, each command a process of its own (the built CLI, `npm run build` first), measured with
// GNU time: wall time and peak resident memory, next to the same command on the untouched example
// campaign measured in the same run (the baseline). The figures go to docs/performance.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { committedExample, gitIn as git, PROJECT_ROOT } from '../test/helpers/cli.js';
import { HOSTILE_CLASSES, type HostileClass } from '../test/budgets/corpus.js';

function campaign(hostile: HostileClass | null): string {
  const dir = committedExample({ local: true });
  if (hostile) {
    hostile.write(dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'hostile');
  }
  return dir;
}

interface Measure {
  seconds: number;
  peakMb: number;
  code: number;
}

/** Runs `ferry ARGS` in its own process under GNU time. */
function measure(args: string[]): Measure {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, join(PROJECT_ROOT, 'bin/ferry.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = run.stderr.trim().split('\n').at(-1) ?? '';
  const [seconds, kb] = last.split(' ').map(Number);
  return { seconds: seconds!, peakMb: Math.round(kb! / 1024), code: run.status ?? -1 };
}

function commands(hostile: HostileClass | null, dir: string): [string, string[]][] {
  const out: [string, string[]][] = [
    ['validate', ['validate', '--repo', dir]],
    ['plan', ['plan', '--repo', dir]],
    ['apply', ['apply', '--allow-unmerged', '--repo', dir]],
  ];
  if (hostile === null || hostile.when === 'run') out.push(['placement', ['placement', 'wave-1-web', '--repo', dir]]);
  if (hostile === null || hostile.expression !== undefined) out.push(['query', ['query', hostile?.expression ?? "location matches '^/DC1/'", '--repo', dir]]);
  return out;
}

export default function hostileBench(): void {
  execFileSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const baseline = new Map<string, Measure>();
  for (const [name, args] of commands(null, campaign(null))) baseline.set(name, measure(args));
  console.log('Each command a process of its own; baseline: the same command on the untouched example campaign.');
  console.log(`baseline: ${[...baseline].map(([name, m]) => `${name} ${m.seconds.toFixed(2)} s / ${m.peakMb} MB`).join(', ')}`);
  console.log('| class | command | exit | time | peak RSS | time / baseline | RSS / baseline |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  let worst = { seconds: 0, peakMb: 0 };
  for (const hostile of HOSTILE_CLASSES) {
    const dir = campaign(hostile);
    for (const [name, args] of commands(hostile, dir)) {
      const m = measure(args);
      const base = baseline.get(name)!;
      worst = { seconds: Math.max(worst.seconds, m.seconds), peakMb: Math.max(worst.peakMb, m.peakMb) };
      console.log(`| ${hostile.name} | ${name} | ${m.code} | ${m.seconds.toFixed(2)} s | ${m.peakMb} MB | ${(m.seconds / base.seconds).toFixed(2)}× | ${(m.peakMb / base.peakMb).toFixed(2)}× |`);
    }
  }
  console.log(`worst: ${worst.seconds.toFixed(2)} s, ${worst.peakMb} MB`);
}
