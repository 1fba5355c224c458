/**
 * The GitHub REST operations Ferry may call, by GitHub's operation id. The fake serves exactly
 * these (scripts/github-openapi.ts extracts them into openapi-subset.json); anything else is a
 * violation, so a product test can also check its calls against this list.
 */
export const GITHUB_OPERATIONS = [
  'repos/get',
  'users/get-authenticated',
  'pulls/get',
  'pulls/list',
  'pulls/create',
  'pulls/update',
  'pulls/merge',
  'pulls/list-files',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/delete-comment',
  'issues/add-labels',
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'checks/list-annotations',
  'repos/create-commit-status',
  'repos/list-commit-statuses-for-ref',
  'repos/get-combined-status-for-ref',
  'git/get-ref',
  'git/delete-ref',
] as const;

export type GitHubOperationId = (typeof GITHUB_OPERATIONS)[number];
