// Runs the CLI from source (no build step), for development: npx tsx scripts/ferry.ts validate …
import { runCli } from '../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
