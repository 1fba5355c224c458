// The repository itself and its Git refs, read from and written to the bare repository.
import { notFound, validationFailed, type Handler } from './context.js';
import { fullRepositoryJson, gitRefJson } from './representations.js';

const get: Handler = async (_request, context) =>
  ({ status: 200, body: fullRepositoryJson(context, await context.git.defaultBranch()) });

/** `heads/main` in the path is `refs/heads/main` in Git. */
function fullRef(ref: unknown): string {
  return `refs/${String(ref)}`;
}

const getRef: Handler = async (request, context) => {
  const ref = fullRef(request.parameters.ref);
  const sha = await context.git.refTarget(ref);
  if (!sha) throw notFound();
  return { status: 200, body: gitRefJson(ref, sha, await context.git.objectType(sha), context) };
};

const deleteRef: Handler = async (request, context) => {
  const ref = fullRef(request.parameters.ref);
  const sha = await context.git.refTarget(ref);
  if (!sha) throw validationFailed({ resource: 'Reference', code: 'custom', message: 'Reference does not exist' });
  if (ref === `refs/heads/${await context.git.defaultBranch()}`) {
    throw validationFailed({ resource: 'Reference', code: 'custom', message: 'Cannot delete the default branch' });
  }
  // Deleting the head branch of an open pull request closes it, as the fake sees after this request.
  await context.git.deleteRef(ref, sha);
  return { status: 204 };
};

export const repositoryHandlers: Record<string, Handler> = {
  'repos/get': get,
  'git/get-ref': getRef,
  'git/delete-ref': deleteRef,
};
