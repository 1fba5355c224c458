// The plan file `ferry github plan --plan-file` writes instead of publishing, for another CI or a
// person to read. Ferry never publishes one: a file another job wrote is untrusted data (a fork
// could forge it), so the trusted job computes the plan itself (docs/github.md).

import type { PrPlan } from './pr-plan.js';

export const PLAN_FILE_KIND = 'ferry-pr-plan-file';

export interface PlanFile {
  kind: typeof PLAN_FILE_KIND;
  pr: number;
  head_sha: string;
  /** Where the repository sits in the Git repository (`""` or `dir/`), for annotation paths. */
  path_prefix: string;
  plan: PrPlan;
}
