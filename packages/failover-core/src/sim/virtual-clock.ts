import type { Clock } from '../ports.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Yields to the host's macrotask queue, after every pending promise reaction has run. */
const yieldToHost: () => Promise<void> = (() => {
  const host = globalThis as { setImmediate?: (cb: () => void) => unknown; setTimeout?: (cb: () => void, ms: number) => unknown };
  if (typeof host.setImmediate === 'function') {
    const setImmediate = host.setImmediate;
    return () => new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (typeof host.setTimeout === 'function') {
    const setTimeout = host.setTimeout;
    return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  throw new Error('the simulator needs setImmediate or setTimeout');
})();

/** The simulation ran past its time limit or had nothing left to wake it. */
export class SimulationStalledError extends Error {
  override readonly name = 'SimulationStalledError';
}

/**
 * A virtual clock. `sleep` parks the caller until the simulation advances time; `run` advances
 * time to the next timer whenever every simulated task is waiting, so hours pass in milliseconds
 * and the order of events depends only on the seed.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Timers fired so far (a measure of simulation work). */
  firedTimers = 0;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve }));
  }

  /** Sleeps until an absolute time. */
  sleepUntil(at: number): Promise<void> {
    return this.sleep(at - this.current);
  }

  private push(timer: Timer): void {
    // Binary insertion keeps timers ordered by (at, seq): ties fire in the order they were set.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timers[mid] as Timer;
      if (t.at < timer.at || (t.at === timer.at && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  /**
   * Runs `main` to completion on virtual time.
   * @param limitMs - virtual time after which the run is abandoned with {@link SimulationStalledError}.
   */
  async run<T>(main: () => Promise<T>, limitMs = 24 * 3_600_000): Promise<T> {
    const deadline = this.current + limitMs;
    let settled = false;
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    main().then(
      (v) => {
        settled = true;
        value = v;
      },
      (e: unknown) => {
        settled = true;
        failed = true;
        failure = e;
      },
    );
    for (;;) {
      await yieldToHost();
      if (settled) break;
      const next = this.timers.shift();
      if (!next) throw new SimulationStalledError('simulation stalled: every task is waiting on something that will never happen');
      if (next.at > deadline) throw new SimulationStalledError(`simulation passed its limit of ${limitMs / 1000}s of virtual time`);
      this.current = next.at;
      this.firedTimers++;
      next.resolve();
    }
    if (failed) throw failure;
    return value as T;
  }
}
