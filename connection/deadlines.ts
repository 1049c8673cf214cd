/**
 * Many deadlines on one timer. Every statement has a timeout, and a timer per statement (created, then cleared a few
 * hundred microseconds later) cost the main thread several microseconds per call; here a call's deadline is an entry
 * in a set, and one timer waits for the earliest deadline that may still be due. A deadline fires no earlier than a
 * timer of its own would have.
 * @module
 */

/** A deadline waiting in {@link Deadlines}. */
export interface Deadline {
  /** `performance.now()` at which it is due. */
  readonly at: number;
  readonly fire: () => void;
}

/**
 * Deadlines of one owner (a `Database`): {@link add} one per statement, {@link remove} it when the statement ends.
 * The timer stays set while deadlines come and go (set again only for an earlier one), and does not keep the process
 * alive; after {@link close} it is cleared once no deadline waits.
 */
export class Deadlines {
  readonly #waiting = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (`Infinity`: no timer). */
  #armedAt = Infinity;
  #closed = false;

  /** Calls `fire` once, `ms` milliseconds from now, unless the deadline is removed first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline = { at: performance.now() + ms, fire };
    this.#waiting.add(deadline);
    if (deadline.at < this.#armedAt) this.#arm(deadline.at, ms);
    return deadline;
  }

  /** Forgets a deadline (it will not fire); removing one that fired or was removed does nothing. */
  remove(deadline: Deadline): void {
    this.#waiting.delete(deadline);
    if (this.#closed && this.#waiting.size === 0) this.#disarm();
  }

  /** Deadlines waiting (for tests). */
  get size(): number {
    return this.#waiting.size;
  }

  /** Whether the timer is set (for tests). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** The owner is closing: the timer is cleared now if no deadline waits, else once the last one is removed or fired. */
  close(): void {
    this.#closed = true;
    if (this.#waiting.size === 0) this.#disarm();
  }

  #arm(at: number, ms: number): void {
    this.#disarm();
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#due(), Math.max(0, ms));
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  /** The timer fired: fires every deadline due, then waits for the earliest one left. */
  #due(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const due: Deadline[] = [];
    let next = Infinity;
    for (const deadline of this.#waiting) {
      if (deadline.at <= now) due.push(deadline);
      else if (deadline.at < next) next = deadline.at;
    }
    for (const deadline of due) this.#waiting.delete(deadline);
    if (next < Infinity) this.#arm(next, Math.ceil(next - now));
    for (const deadline of due) {
      try {
        deadline.fire();
      } catch (error) {
        reportError(error); // as a timer of its own would have; the other deadlines still fire
      }
    }
  }
}
