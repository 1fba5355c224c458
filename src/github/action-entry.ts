// The Action's process: what the runner starts as action/index.js (see scripts/build-action.ts).
import { runAction } from './action.js';

process.exitCode = await runAction({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
