/**
 * The runner: drives the pure state machine through the ports. It takes the lease, persists each
 * transition before performing its commands, performs them concurrently, and feeds their answers
 * back one at a time until the run ends, parks for an approval, or must stop.
 *
 * Reading order: `Runner` here (start, rehearse, resume, take over, retry); `runner-options.ts`
 * for what it is given and returns; `run-loop.ts` for the event loop that drives a run;
 * `lease-keeper.ts` for the lease and the writes made under it; `perform.ts` for how one
 * command is performed through the ports.
 */
import type { DrError } from '../errors.js';
import { startRun, transition } from '../machine/transition.js';
import {
  engineSettingsOf,
  isTerminal,
  type Command,
  type EngineSettings,
  type PreconditionProblem,
  type RunEvent,
  type RunState,
  type Transition,
} from '../machine/types.js';
import type { Ports, Versioned } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import type { ContainmentGuard } from './containment.js';
import { decideStart, retryable, type StartDecision } from './decide-start.js';
import type { ControlRecord } from './lease.js';
import { LeaseKeeper } from './lease-keeper.js';
import { rehearsalOf, type Rehearsal } from './rehearsal.js';
import type { RunnerOptions, RunOutcome, StartRequest } from './runner-options.js';
import { RunLoop } from './run-loop.js';

export { retryable } from './decide-start.js';
export { MIN_LEASE_MS } from './lease-keeper.js';
export type { RunnerOptions, RunOutcome, StartRequest } from './runner-options.js';

/**
 * Drives the state machine through a set of ports: persists every transition with
 * compare-and-set before performing its commands (so the stored state is always a write-ahead
 * record), performs commands concurrently, and feeds their results back one at a time. No
 * mutating call is made unless the lease, as measured after the write that last renewed it,
 * has the act margin left.
 */
export class Runner {
  private readonly ports: Ports;
  private readonly settings: EngineSettings;
  private readonly lease: LeaseKeeper;
  private readonly driver: RunLoop;

  /** Gates and counts containment calls made under this runner's lease. */
  get containmentGuard(): ContainmentGuard {
    return this.driver.containmentGuard;
  }

  /** @throws RangeError when `leaseMs` could never leave the act margin beyond the clock-skew bound. */
  constructor(private readonly options: RunnerOptions) {
    this.ports = options.ports;
    this.settings = options.settings ?? engineSettingsOf(options.config);
    this.lease = new LeaseKeeper(options.ports, options);
    this.driver = new RunLoop(options, this.lease, this.settings);
  }

  /** Reads the control record without taking the lease. */
  static async read(ports: Ports, stateKey: string): Promise<Versioned<ControlRecord> | undefined> {
    return ports.stateStore.read<ControlRecord>(stateKey);
  }

  private get record(): ControlRecord {
    return this.lease.record;
  }

  private release(): Promise<void> {
    return this.lease.release();
  }

  /** Writes a record that is not a run's (containment), keeping the lease. */
  async writeRecord(change: (current: ControlRecord) => Omit<ControlRecord, 'lease'>, release = false): Promise<ControlRecord> {
    await this.lease.write(change, release);
    return this.record;
  }

  /**
   * Makes sure the lease has the act margin left, renewing it (and writing the latest state)
   * when it does not. False when it cannot be had: this runner must not act.
   */
  leaseForAct(): Promise<boolean> {
    return this.lease.leaseForAct();
  }

  /** Takes the lease, for work that is not a run (containment). Throws `LockHeldError` when another controller holds it. */
  async take(): Promise<ControlRecord> {
    await this.lease.acquire();
    return this.record;
  }

  /**
   * Starts a run, resumes the one in the store if it is unfinished and of the same operation, or
   * retries it if it failed and may go on (an operator's second `dr failover` after a failure),
   * as {@link decideStart} decides under the lease.
   * @throws `LockHeldError` when another controller is acting; `OperationRejectedError` when
   * another operation is unfinished or the record says traffic is elsewhere.
   */
  async start(request: StartRequest): Promise<RunOutcome> {
    await this.lease.acquire();
    const now = this.ports.clock.now();
    const decision = decideStart(this.record, request, this.decisionContext(now));
    if (decision.kind === 'refuse') return this.refuse(decision.error);
    return {
      state: await this.driver.run(this.firstTransition(decision, request, now)),
      epoch: this.lease.held.epoch,
      started: decision.kind === 'start',
    };
  }

  /**
   * What {@link start} would do now, done without the lease and without writing anything: the
   * same decision on the stored record, then the same state machine from the same first
   * transition (the preconditions evaluated through the same command, reads of the blocks it
   * would observe), stopped right before the first command that changes anything: a call that
   * acts, a notification, an approval request. A wait ends it too: nothing changes while it
   * rehearses, so looking again would show the same. Never takes or touches the lease; a lease
   * held by another controller is the refusal the real run would meet.
   */
  async rehearse(request: StartRequest): Promise<Rehearsal> {
    const record = (await Runner.read(this.ports, this.options.stateKey))?.value;
    const now = this.ports.clock.now();
    const decision = decideStart(record, request, this.decisionContext(now));
    if (decision.kind === 'refuse') return rehearsalOf(decision, undefined, [], undefined);
    let t = this.firstTransition(decision, request, now);
    let evaluated: { problems: readonly PreconditionProblem[]; replicaLagSeconds?: number | undefined } | undefined;
    const withheld: Command[] = [];
    for (;;) {
      const runnable = t.commands.filter((c) => c.kind === 'observe' || c.kind === 'evaluate-preconditions');
      withheld.push(...t.commands.filter((c) => c.kind !== 'observe' && c.kind !== 'evaluate-preconditions'));
      // Stop before the first command that changes anything; only reads (and waits) came so far.
      if (runnable.length === 0 || withheld.some((c) => c.kind !== 'wait')) break;
      const state = t.state;
      const events = await Promise.all(runnable.map((c) => this.driver.execute(c, state)));
      let next: Transition = { state, commands: [] };
      const commands: Command[] = [];
      for (const event of events) {
        if (!event) continue;
        if (event.kind === 'preconditions-evaluated') evaluated = { problems: event.problems, replicaLagSeconds: event.replicaLagSeconds };
        next = transition(next.state, event, this.settings);
        commands.push(...next.commands);
      }
      t = { state: next.state, commands };
    }
    return rehearsalOf(decision, t.state, withheld, evaluated);
  }

  private decisionContext(now: number) {
    return { stateKey: this.options.stateKey, owner: this.options.owner, now, skewMs: this.lease.timing.skewMs };
  }

  /** The transition a decided run begins with: a new run's, or the stored run's resume or retry. */
  private firstTransition(
    decision: Exclude<StartDecision, { kind: 'refuse' }>,
    request: StartRequest,
    now: number,
  ): Transition & { readonly event?: RunEvent } {
    switch (decision.kind) {
      case 'start':
        return startRun({
          ...request,
          at: now,
          approvalTimeoutSeconds: this.options.config.approval.expiresAfterSeconds,
          unreachableSeconds: this.options.config.timeouts.unreachableSeconds,
        });
      case 'resume':
        return this.applyAll(decision.run, [{ kind: 'resumed', at: now }]);
      case 'retry':
        return this.applyAll(decision.run, [{ kind: 'retry-requested', at: now, by: this.options.owner }]);
      default:
        return assertNever(decision, 'start decision');
    }
  }

  /** Resumes the unfinished run in the store. Returns undefined when there is none. */
  async resume(): Promise<RunOutcome | undefined> {
    return this.continueWith((now) => [{ kind: 'resumed', at: now }]);
  }

  /**
   * Takes over a run left by another controller (the hold on an operator's run ended): an
   * unfinished one past its point of no return is driven to the end, one before it is rolled
   * back; a failed one that may go on is retried.
   */
  async takeOver(reason: string): Promise<RunOutcome | undefined> {
    return this.continueWith((now, run) => {
      if (run.phase === 'failed') return [{ kind: 'retry-requested', at: now, by: this.options.owner }];
      return [
        { kind: 'resumed', at: now },
        ...(run.committedAt === undefined ? [{ kind: 'abort-requested' as const, at: now, reason }] : []),
      ];
    });
  }

  /** Retries a failed run that may go on (past its point of no return, or a rollback not finished). */
  async retry(): Promise<RunOutcome | undefined> {
    return this.continueWith((now) => [{ kind: 'retry-requested', at: now, by: this.options.owner }]);
  }

  /** Refuses a parked run whose approval has expired. Returns undefined when there is none. */
  async expireApproval(): Promise<RunOutcome | undefined> {
    return this.continueWith((now) => [{ kind: 'approval-expired', at: now }]);
  }

  private async continueWith(events: (now: number, run: RunState) => RunEvent[]): Promise<RunOutcome | undefined> {
    await this.lease.acquire();
    const existing = this.record.run;
    if (!existing || (isTerminal(existing.phase) && !retryable(existing))) {
      await this.release();
      return undefined;
    }
    return { state: await this.drive(existing, events(this.ports.clock.now(), existing)), epoch: this.lease.held.epoch, started: false };
  }

  private async refuse(error: DrError): Promise<never> {
    // Refusing must not keep others out: give the lease back before saying no.
    await this.release();
    throw error;
  }

  /** Applies `events` to a stored run, gathering the commands they produce. */
  private applyAll(state: RunState, events: readonly RunEvent[]): Transition & { readonly event?: RunEvent } {
    let t: Transition = { state, commands: [] };
    const commands: Command[] = [];
    for (const event of events) {
      t = transition(t.state, event, this.settings);
      commands.push(...t.commands);
    }
    return { state: t.state, commands, event: events.at(-1) };
  }

  private async drive(state: RunState, events: readonly RunEvent[]): Promise<RunState> {
    return this.driver.run(this.applyAll(state, events));
  }
}
