// When work fails and the cleanup after it fails too, the first failure is the one to report: the
// cleanup's says less about what went wrong (on a full disk, the snapshot a close writes fails as
// well, after the write that failed first, and a close can fail where a write did).

/** Runs `work`, then `release` whatever happened; when both fail, throws `work`'s failure and hands the other to `unreported`. */
export async function releasing<T>(work: () => Promise<T>, release: () => Promise<void>, unreported: (error: unknown) => void): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await release().catch(unreported);
    throw error;
  }
  await release();
  return result;
}

/** Cleans up after a failure, which is the one thrown: each cleanup runs, and its own failure is dropped. */
export function cleanUpAfter(failure: unknown, ...cleanups: (() => void)[]): never {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // The first failure says what went wrong.
    }
  }
  throw failure;
}
