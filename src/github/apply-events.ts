// Applying changes infrastructure, so it runs only from events that a pull request cannot
// trigger: the Action and `ferry github apply` both ask here first.

import { APPLY_EVENTS } from './context.js';

const ALLOWED = [...APPLY_EVENTS].join(', ');

/** Why an apply must not run in this environment, or null when it may. */
export function applyRefusal(env: NodeJS.ProcessEnv): string | null {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (event === '') {
    return `Ferry applies only on a ${ALLOWED} event and GITHUB_EVENT_NAME is not set (in another CI, set GITHUB_EVENT_NAME=push in the job that runs on the default branch)`;
  }
  if (!APPLY_EVENTS.has(event)) {
    return `Ferry does not apply on a ${event} event, which a pull request can trigger; apply runs on ${ALLOWED}`;
  }
  const ref = env.GITHUB_REF ?? '';
  if (ref.startsWith('refs/pull/')) return `Ferry does not apply a pull request's ref (${ref}); apply runs on the default branch`;
  return null;
}
