/**
 * One build at a time per package folder: `deno task test` and `deno task
 * start` run `deno task setup` first, so several processes in one checkout
 * can find a changed patch series at once, and two node-gyp builds in one
 * folder break each other. The lock is a directory (made atomically).
 * @module
 */

/** How long to wait for another process's lock, and when a lock is left over from a killed process. */
export interface LockOptions {
  /** A lock older than this was left by a process that died: it is taken over (default 10 minutes). */
  staleMs?: number;
  /** How often to look again while another process holds the lock (default 500 ms). */
  pollMs?: number;
  /** Told once when this process starts waiting. */
  onWait?: () => void;
}

/** Runs `work` while holding the lock directory `path`, waiting while another process holds it. */
export async function withLock<T>(path: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { staleMs = 600_000, pollMs = 500, onWait } = options;
  let waiting = false;
  while (!tryLock(path, staleMs)) {
    if (!waiting) onWait?.();
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await work();
  } finally {
    Deno.removeSync(path, { recursive: true });
  }
}

function tryLock(path: string, staleMs: number): boolean {
  try {
    Deno.mkdirSync(path);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  try {
    const made = Deno.statSync(path).mtime?.getTime() ?? Date.now();
    if (Date.now() - made > staleMs) Deno.removeSync(path, { recursive: true });
  } catch (error) {
    // Released (or taken over by another waiter) between the two calls: try again.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return false;
}
