/**
 * Statistics and output helpers shared by the benchmark scripts.
 * @module
 */
import process from "node:process";

const enc = new TextEncoder();

/** Writes all of `text` (stdout by default; lint forbids console). */
export function write(text: string, to: { writeSync(p: Uint8Array): number } = Deno.stdout): void {
  const bytes = enc.encode(text);
  for (let off = 0; off < bytes.length;) off += to.writeSync(bytes.subarray(off));
}

/** A progress line on stderr. */
export function say(message: string): void {
  write(`[bench] ${message}\n`, Deno.stderr);
}

/** Nearest-rank quantile of `values` (p from 0 to 1). */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** The median (nearest rank, so always one of the values). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Milliseconds with two decimals below 10 and one above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** Bytes as whole MiB. */
export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(0) : "–";
}

/** A ratio with two decimals. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "–";
}

/** Times `fn` after `warmup` untimed calls; returns the milliseconds of each timed call. */
export async function timed(fn: (i: number) => Promise<void>, warmup: number, calls: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out: number[] = [];
  for (let i = warmup; i < warmup + calls; i++) {
    const started = performance.now();
    await fn(i);
    out.push(performance.now() - started);
  }
  return out;
}

/** Latencies and throughput of a closed-loop load. */
export interface LoadSample {
  /** Milliseconds of each timed call. */
  latencies: number[];
  /** Timed calls per second of wall time. */
  perSecond: number;
  /** The `cpu` counter's growth over the timed calls divided by their number (µs per call), when one was given. */
  cpu?: number;
}

/**
 * A closed loop: `workers` callers, each calling `fn` back to back. Every
 * worker first makes `warmup` untimed calls; then together they make `calls`
 * timed calls. `fn` gets the worker's index and a call number unique across
 * the run. `cpu` (e.g. `() => cpuOf(pid)`) is read when the timed calls start
 * and when the last one ends.
 */
export async function closedLoop(
  workers: number,
  warmup: number,
  calls: number,
  fn: (worker: number, n: number) => Promise<void>,
  cpu?: () => number,
): Promise<LoadSample> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; i < warmup; i++) await fn(w, next++);
  }));
  const latencies: number[] = [];
  let remaining = calls;
  const cpuBefore = cpu?.();
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (remaining > 0) {
      remaining--;
      const t = performance.now();
      await fn(w, next++);
      latencies.push(performance.now() - t);
    }
  }));
  const perSecond = calls / ((performance.now() - started) / 1000);
  return cpu ? { latencies, perSecond, cpu: (cpu() - cpuBefore!) / calls } : { latencies, perSecond };
}

/** Peak (VmHWM) and current (VmRSS) resident set of a process, in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { peak: number; rss: number } {
  // Deno refuses /proc/self and friends without -A; `cat` reads any of our own processes.
  const out = new Deno.Command("cat", { args: [`/proc/${pid}/status`], stderr: "null" }).outputSync();
  const text = new TextDecoder().decode(out.stdout);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024;
  return { peak: kb("VmHWM"), rss: kb("VmRSS") };
}

const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux

/**
 * utime + stime in µs, of all threads: this process's (`"self"`, from
 * getrusage, to the µs) or another's (from /proc/<pid>/stat, in 10 ms ticks;
 * 0 when it is gone). Linux only.
 */
export function cpuOf(pid: number | "self"): number {
  if (pid === "self") {
    const { user, system } = process.cpuUsage();
    return user + system;
  }
  try {
    return ticksOf(procStat(pid));
  } catch {
    return 0;
  }
}

/** /proc/<pid>/stat; Deno refuses /proc without -A (as `deno task bench` runs), `cat` then reads it. */
function procStat(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    const out = new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stderr: "null" }).outputSync();
    if (!out.success) throw new Error(`no process ${pid}`);
    return new TextDecoder().decode(out.stdout);
  }
}

/** utime + stime of a /proc/<pid>/stat line, in µs. */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** CPU µs of every `postgres` process now. */
export function postgresCpu(): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() === "postgres") total += cpuOf(Number(entry.name));
    } catch {
      // gone
    }
  }
  return total;
}
