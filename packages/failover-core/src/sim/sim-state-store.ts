import type { StateStore, Versioned } from '../ports.js';
import type { Range } from './latency.js';
import { MemoryStateStore } from './memory-state-store.js';
import { drawIn, type Rng } from './random.js';
import type { VirtualClock } from './virtual-clock.js';

/** Writes answered late: with probability `rate`, a write lands somewhere in the next `delayMs` and its answer comes at the end of it. */
export interface LateWrites {
  readonly rate: number;
  readonly delayMs: number;
}

/** A lease epoch granted: a write of a control record that raised the epoch landed. */
export interface LeaseGrant {
  readonly key: string;
  readonly epoch: number;
  readonly owner: string;
  readonly at: number;
}

/**
 * The state store of a drill: the compare-and-set store, over virtual time. Every read and write
 * takes DynamoDB's round trip; some writes land late and are answered later still, as a write
 * whose HTTP answer is slow does ("a write may have succeeded or failed": DynamoDB developer
 * guide, error handling). It records every lease epoch granted, for the audit of calls made by a
 * controller after its lease passed to another.
 */
export class SimStateStore implements StateStore {
  private readonly inner = new MemoryStateStore();
  readonly grants: LeaseGrant[] = [];
  private n = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly rng: Rng,
    private readonly latencyMs: Range,
    /** Late writes from now on (a drill turns them on for the operation a scenario is about). */
    public late?: LateWrites,
  ) {}

  /** Writes accepted. */
  get writes(): number {
    return this.inner.writes;
  }

  /** Reads without the round trip: the drill's own look at the store, which no real component makes. */
  peek<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.inner.read<T>(key);
  }

  /** Writes without the round trip (setting up a drill's starting point). */
  seed<T>(key: string, value: T, expectedVersion = 0): Promise<number> {
    return this.inner.write(key, value, expectedVersion);
  }

  async read<T>(key: string): Promise<Versioned<T> | undefined> {
    await this.clock.sleep(drawIn(this.rng, `store-read:${this.n++}`, this.latencyMs));
    return this.inner.read<T>(key);
  }

  async write<T>(key: string, value: T, expectedVersion: number): Promise<number> {
    const i = this.n++;
    const round = drawIn(this.rng, `store-write:${i}`, this.latencyMs);
    const isLate = this.late !== undefined && this.rng.at(`store-late:${i}`) < this.late.rate;
    const landAfter = isLate ? Math.round(this.late!.delayMs * this.rng.at(`store-land:${i}`)) : Math.round(round / 2);
    const answerAfter = isLate ? this.late!.delayMs : round;
    await this.clock.sleep(landAfter);
    let outcome: { version: number } | { error: unknown };
    try {
      outcome = { version: await this.inner.write(key, value, expectedVersion) };
      const lease = (value as { lease?: { epoch?: number; owner?: string } } | undefined)?.lease;
      const last = this.grants.findLast((g) => g.key === key)?.epoch ?? 0;
      if (lease?.epoch !== undefined && lease.epoch > last)
        this.grants.push({ key, epoch: lease.epoch, owner: lease.owner ?? '', at: this.clock.now() });
    } catch (error) {
      outcome = { error };
    }
    await this.clock.sleep(Math.max(0, answerAfter - landAfter));
    if ('error' in outcome) throw outcome.error;
    return outcome.version;
  }
}
