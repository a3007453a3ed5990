/**
 * The lease a runner holds on the application's control record, and every write it makes under
 * it. Writes go one at a time, in order, each with the version the last one returned, and each
 * renews the lease; once one fails (the lease was lost) the keeper stops and writes nothing more
 * but a release. A mutating call is allowed only while the lease, as measured after the write
 * that last renewed it, has the act margin left.
 */
import { LeaseLostError } from '../errors.js';
import type { RunState } from '../machine/types.js';
import type { Ports } from '../ports.js';
import { acquireLease, CLOCK_SKEW_MS, writeUnderLease, type ControlRecord, type LeaseHold, type LeaseTiming } from './lease.js';
import type { RunnerOptions } from './runner-options.js';

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_ACT_MARGIN_MS = 15_000;

/** The lease a runner must exceed to ever act: the clock-skew bound plus the act margin. */
const leaseFloorMs = (skewMs: number, actMarginMs: number): number => skewMs + actMarginMs;

/**
 * The lease a runner with the default clock-skew bound and act margin must exceed (the 5 s bound
 * plus the 15 s margin: 20 s). A mutating call is made only while the lease has the act margin
 * left beyond the skew bound, so under a lease of this or less none ever could be: the runner
 * refuses it.
 */
export const MIN_LEASE_MS = leaseFloorMs(CLOCK_SKEW_MS, DEFAULT_ACT_MARGIN_MS);

/** Renewals tried before a call when the lease is short (each may be answered late). */
const RENEWALS_BEFORE_ACT = 3;

/** Holds one controller's lease and makes its writes, in order. */
export class LeaseKeeper {
  /** The lease's length, the skew bound, and the clock both are measured by. */
  readonly timing: LeaseTiming & { readonly skewMs: number };
  private readonly actMarginMs: number;
  private hold: LeaseHold | undefined;
  private lost = false;
  /** Writes to the store go one at a time, each with the version the last one returned. */
  private writing: Promise<unknown> = Promise.resolve();
  /** The newest state of the run this keeper writes for: a renewal before a call writes it too. */
  latest: RunState | undefined;

  /** @throws RangeError when the lease could never leave the act margin beyond the skew bound. */
  constructor(
    private readonly ports: Pick<Ports, 'stateStore' | 'clock'>,
    private readonly options: Pick<RunnerOptions, 'stateKey' | 'owner' | 'leaseMs' | 'actMarginMs' | 'clockSkewMs'>,
  ) {
    const skewMs = options.clockSkewMs ?? CLOCK_SKEW_MS;
    this.timing = { clock: ports.clock, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS, skewMs };
    this.actMarginMs = options.actMarginMs ?? DEFAULT_ACT_MARGIN_MS;
    // A lease that cannot outlast the skew bound plus the act margin never lets a call be made:
    // every invocation would end busy without a word, so refuse it where it is configured.
    if (this.timing.leaseMs <= leaseFloorMs(skewMs, this.actMarginMs)) {
      throw new RangeError(
        `leaseMs ${this.timing.leaseMs} is too short: it must exceed the clock-skew bound (${skewMs} ms) plus the act margin (${this.actMarginMs} ms), or no call could ever be made under it`,
      );
    }
  }

  /** True once the lease was lost or the runner stopped: nothing may act under it any more. */
  get stopped(): boolean {
    return this.lost;
  }

  /** Stops the keeper: no write but a release is made from now on, and no call is allowed. */
  stop(): void {
    this.lost = true;
  }

  /** The control record as last written under the lease (a fresh one before any). */
  get record(): ControlRecord {
    return this.hold?.record ?? { active: 'primary' };
  }

  /** The lease held. @throws Error when it is not held. */
  get held(): LeaseHold {
    if (!this.hold) throw new Error('the lease is not held');
    return this.hold;
  }

  /** Takes the lease. @throws `LockHeldError` when another controller holds it. */
  async acquire(): Promise<void> {
    this.hold = await acquireLease(this.ports.stateStore, this.options.stateKey, this.options.owner, this.timing);
  }

  /** Queues a write of `record` under the lease; every write of this runner goes through here, in order. */
  write(record: (current: ControlRecord) => Omit<ControlRecord, 'lease'>, release = false): Promise<void> {
    const done = this.writing.then(async () => {
      if (this.lost && !release) throw new LeaseLostError(this.options.stateKey, this.hold?.epoch ?? 0);
      this.hold = await writeUnderLease(this.ports.stateStore, this.held, record(this.record), this.timing, release);
    });
    this.writing = done.catch(() => undefined);
    return done.catch((e: unknown) => {
      this.lost = true;
      throw e;
    });
  }

  /** Gives the lease back, writing the record unchanged. */
  release(): Promise<void> {
    return this.write((current) => current, true);
  }

  /**
   * Makes sure the lease has the act margin left, renewing it (and writing the latest state)
   * when it does not. False when it cannot be had: this runner must not act.
   */
  async leaseForAct(): Promise<boolean> {
    for (let i = 0; i <= RENEWALS_BEFORE_ACT; i++) {
      if (this.lost || !this.hold) return false;
      if (this.hold.validUntil - this.ports.clock.now() >= this.actMarginMs) return true;
      if (i === RENEWALS_BEFORE_ACT) break;
      try {
        await this.write((current) => (this.latest ? { ...current, run: this.latest } : current));
      } catch {
        return false;
      }
    }
    // Renewals keep coming back too late to act on: stop, and let the lease lapse to a successor.
    this.lost = true;
    return false;
  }

  /** Whether a third of the lease is spent: the next transition is written, even one that need not be, to renew it. */
  renewalDue(): boolean {
    const expiresAt = this.hold?.record.lease?.expiresAt ?? 0;
    return this.ports.clock.now() >= expiresAt - (this.timing.leaseMs * 2) / 3;
  }
}
