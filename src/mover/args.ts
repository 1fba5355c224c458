// The mover's command line (docs/cli.md, "ferry-mover"). Pure: argv in, options or a one-line
// usage error out.

export interface MoverArgs {
  /** Process mode: the job's file. Absent: the VM's job (Incus guest API, or fw_cfg). */
  job: string | null;
  /** Device paths by Incus device name; empty: the VM's /dev/disk/by-id links. */
  devices: Map<string, string>;
  stateDir: string;
  report: string;
  /** Run one pass and exit with its result; else keep polling for jobs. */
  once: boolean;
  /** Bytes per second the passes may read; 0: no limit. */
  maxRate: number;
  pollMs: number;
  /** A virtio-win ISO for Windows guests' preparation (experimental); absent: none. */
  virtioWin?: string;
}

export type ArgsResult = { ok: true; args: MoverArgs } | { ok: false; error: string };

export const USAGE = `usage: ferry-mover [--job FILE] [--device NAME=PATH]... [--state DIR] [--report FILE] [--once] [--max-rate BYTES[K|M|G]] [--poll SECONDS] [--virtio-win ISO]`;

function size(text: string): number | null {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) return null;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

export function parseArgs(argv: readonly string[], defaults: { stateDir: string; report: string }): ArgsResult {
  const args: MoverArgs = { job: null, devices: new Map(), stateDir: defaults.stateDir, report: defaults.report, once: false, maxRate: 0, pollMs: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--once') {
      args.once = true;
      continue;
    }
    const value = argv[i + 1];
    if (!['--job', '--device', '--state', '--report', '--max-rate', '--poll', '--virtio-win'].includes(flag)) return { ok: false, error: `unknown option ${JSON.stringify(flag.slice(0, 40))}; ${USAGE}` };
    if (value === undefined) return { ok: false, error: `${flag} needs a value; ${USAGE}` };
    i++;
    switch (flag) {
      case '--job':
        args.job = value;
        break;
      case '--device': {
        const eq = value.indexOf('=');
        if (eq <= 0 || eq === value.length - 1) return { ok: false, error: `--device ${JSON.stringify(value.slice(0, 60))} is not NAME=PATH` };
        args.devices.set(value.slice(0, eq), value.slice(eq + 1));
        break;
      }
      case '--state':
        args.stateDir = value;
        break;
      case '--virtio-win':
        args.virtioWin = value;
        break;
      case '--report':
        args.report = value;
        break;
      case '--max-rate': {
        const rate = size(value);
        if (rate === null) return { ok: false, error: `--max-rate ${JSON.stringify(value.slice(0, 40))} is not a byte count (8M, 512K, 1G)` };
        args.maxRate = rate;
        break;
      }
      case '--poll': {
        const seconds = Number(value);
        if (!(seconds > 0 && seconds <= 3600)) return { ok: false, error: `--poll ${JSON.stringify(value.slice(0, 40))} is not a number of seconds (0 < s ≤ 3600)` };
        args.pollMs = seconds * 1000;
        break;
      }
    }
  }
  return { ok: true, args };
}
