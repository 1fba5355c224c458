// Who the token belongs to, and what GitHub lets that identity do. An installation token (a
// workflow's GITHUB_TOKEN, or a GitHub App's) acts as the app's bot user; a personal access token
// acts as a person. GitHub tells them apart where Ferry may notice: only an app can write check
// runs, and only a person can read who they are.
import { GitHubError, type Handler } from './context.js';
import { REPOSITORY_OWNER_ID, publicUserJson } from './representations.js';
import type { AppRecord, FakeStore, GitHubUser } from './state.js';

/** The user a workflow's GITHUB_TOKEN acts as. */
export const GITHUB_ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

/** The app check runs made with a workflow's token belong to. */
export const GITHUB_ACTIONS_APP: AppRecord = {
  id: 15368,
  slug: 'github-actions',
  name: 'GitHub Actions',
  description: 'Automate your workflow from idea to production',
  external_url: 'https://help.github.com/en/actions',
  owner: { login: 'github', id: 9919 },
};

/**
 * The app a token acts for: GitHub Actions for its bot, for another bot (`<slug>[bot]`) an app of
 * that slug owned by the repository's owner, none for a person.
 */
export function appOf(user: GitHubUser, owner: string, store: FakeStore): AppRecord | null {
  if (user.type === 'User') return null;
  if (user.login === GITHUB_ACTIONS_BOT.login) return GITHUB_ACTIONS_APP;
  const slug = user.login.replace(/\[bot\]$/, '');
  return { id: store.nextId(), slug, name: slug, description: null, external_url: `https://github.com/apps/${slug}`, owner: { login: owner, id: REPOSITORY_OWNER_ID } };
}

/** The app of the token, or GitHub's refusal of a check-run request from anything else. */
export function requireApp(app: AppRecord | null): AppRecord {
  if (!app) throw new GitHubError(403, 'You must authenticate via a GitHub App.');
  return app;
}

const getAuthenticated: Handler = async (_request, context) => {
  // An installation token has no user of its own to show.
  if (context.bot.type === 'Bot') throw new GitHubError(403, 'Resource not accessible by integration');
  return { status: 200, body: publicUserJson(context.bot, context) };
};

export const identityHandlers: Record<string, Handler> = {
  'users/get-authenticated': getAuthenticated,
};
