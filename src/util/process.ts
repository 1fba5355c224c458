// Whether a process runs, by its ID, on this machine.

/** Whether a process with this ID runs here (one that exists but is not ours to signal runs too). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
