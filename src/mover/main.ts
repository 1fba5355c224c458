// The mover's entry (bundled to dist/mover/mover.mjs by `npm run build:mover`, run by Node 18 in
// the mover image). `--once`: one pass of the job, exit 0 when it succeeded, 1 otherwise. Without
// it, the mover keeps polling its job (in the VM, where the reconciler writes one job per pass).

import { parseArgs, USAGE } from './args.js';
import { fileInput, vmInput } from './job-input.js';
import { MoverError } from './failure.js';
import { REPORT_PATH } from './protocol.js';
import { Mover } from './run.js';
import type { VimLog } from '../providers/vmware/client.js';

const STATE_DIR = '/var/lib/ferry-mover';

/** pino-style calls (`log.warn({ctx}, 'msg')` or `log.warn('msg')`) as one stderr line; debug is dropped. */
function line(level: string): (...parts: unknown[]) => void {
  return (...parts: unknown[]) => {
    const message = parts.filter((p): p is string => typeof p === 'string').join(' ');
    process.stderr.write(`ferry-mover ${level}: ${message}\n`);
  };
}

const log: VimLog = { debug: () => undefined, info: line('info'), warn: line('warn') };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseArgs(process.argv.slice(2), { stateDir: STATE_DIR, report: REPORT_PATH });
  if (!parsed.ok) {
    process.stderr.write(`ferry-mover: error usage: ${parsed.error}\n`);
    return 1;
  }
  const { args } = parsed;
  const input = args.job !== null ? fileInput(args.job) : vmInput();
  const mover = new Mover({ args, input, log, print: (text) => process.stdout.write(`${text}\n`), now: () => new Date() });

  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal}: stopping`);
    void mover.stop(new MoverError('mover-stopped', `the mover was stopped (${signal}); a new run of the same op resumes from its checkpoint`)).then(() => process.exit(1));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  if (args.once) {
    for (;;) {
      const found = await mover.tick();
      if (found === 'running') return (await mover.current!).state === 'succeeded' ? 0 : 1;
      if (found !== 'none') return found === 'succeeded' ? 0 : 1;
      if (args.job !== null) {
        process.stderr.write(`ferry-mover: error job-missing: ${args.job} does not exist; write the job there first\n`);
        return 1;
      }
      await sleep(args.pollMs);
    }
  }
  log.info(`waiting for jobs from ${input.where}`);
  for (;;) {
    await mover.tick();
    await sleep(args.pollMs);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ferry-mover: internal error: ${error instanceof Error ? error.message : String(error)} (a bug in the mover; please report it)\n`);
    process.exit(1);
  },
);
