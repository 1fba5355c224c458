// The Action's process: what the runner starts as action/index.js (see scripts/build-action.ts).
// The same file is the script of the worker a pull request's plan runs in (./plan-worker.ts): on
// the main thread it starts the Action, in that worker it loads the plan's module, which runs it.
import { isMainThread } from 'node:worker_threads';
import { runAction } from './action.js';

if (isMainThread) process.exitCode = await runAction({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
else await import('./plan-worker.js');
