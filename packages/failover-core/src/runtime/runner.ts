import type { DrConfig } from '../config/schema.js';
import { describeError, failureCause, isRetryable, LeaseLostError, mayHaveLanded, type DrError } from '../errors.js';
import { startRun, transition } from '../machine/transition.js';
import {
  engineSettingsOf,
  isTerminal,
  type Command,
  type EngineSettings,
  type Observation,
  type PreconditionProblem,
  type RunEvent,
  type RunState,
  type RunTrigger,
  type Transition,
} from '../machine/types.js';
import type { Operation, Plan, PlanBlock } from '../plan/types.js';
import type { Notification, Ports, Versioned } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import { nextContainment } from '../machine/containment.js';
import { findBlock, planBlocks } from '../machine/run-state.js';
import { acquireLease, CLOCK_SKEW_MS, writeUnderLease, type ControlRecord, type LeaseHold, type LeaseTiming } from './lease.js';
import { evaluatePreconditions } from './preconditions.js';
import { containOnce, recordLook, type ContainmentGuard } from './containment.js';
import { describeReadings, roundFails, roundSeesHealthy } from '../detector/detector.js';
import { confirmImpairment, readSignals } from './signals.js';
import { decideStart, retryable, type StartDecision } from './decide-start.js';
import { rehearsalOf, type Rehearsal } from './rehearsal.js';

export { retryable } from './decide-start.js';

/** Everything a runner needs. */
export interface RunnerOptions {
  readonly ports: Ports;
  /** The DR config the run's plan was built from (the detector's signals are read from it when an approved run re-checks). */
  readonly config: DrConfig;
  /** Identifies this controller in the lease, such as a Lambda request id or `cli:alice@host`. */
  readonly owner: string;
  /** The state store key of the application's control record. */
  readonly stateKey: string;
  /** How long a lease lasts without renewal; every persisted transition renews it. @default 60000 */
  readonly leaseMs?: number;
  /**
   * A mutating call is made only while the lease has at least this long left (as measured after
   * the write that renewed it): the longest a call may take to land, so none lands after the
   * lease could pass to another controller. @default 15000 (the adapters' call deadline is 10 s)
   */
  readonly actMarginMs?: number;
  /** The clock-skew bound between controllers. @default CLOCK_SKEW_MS */
  readonly clockSkewMs?: number;
  /** @default the defaults, polling every `config.timeouts.pollSeconds` ({@link engineSettingsOf}) */
  readonly settings?: EngineSettings;
  /** Called after each persisted transition (progress reporting), with the lease epoch it was written under. */
  readonly onTransition?: (state: RunState, event: RunEvent | undefined, epoch: number) => void;
  /** Asked when the run needs approval; returns who approved, or undefined to leave it waiting. */
  readonly approve?: (state: RunState) => Promise<string | undefined>;
  /**
   * Called before each event is applied, with its index; throwing here stops the runner as a crash
   * would (the simulator uses it to crash a controller between any two steps).
   */
  readonly beforeEvent?: (index: number, event: RunEvent) => void;
  /**
   * Epoch ms after which the runner stops taking new events, releases its lease and returns the
   * unfinished state for the next controller to resume (a Lambda nearing its timeout).
   */
  readonly deadline?: number;
  /**
   * An abort signal (any object with `aborted`); aborting it stops the runner as reaching the
   * deadline does: no new events, the lease released, the unfinished state returned for a
   * resume (an operator's Ctrl-C).
   */
  readonly signal?: { readonly aborted: boolean };
}

/** A request to start a run. */
export interface StartRequest {
  readonly runId: string;
  readonly operation: Operation;
  readonly plan: Plan;
  readonly maxDataLossSeconds: number;
  readonly force?: boolean;
  readonly approvalRequired?: boolean;
  readonly impairedAt?: number | undefined;
  /** @default 'operator' */
  readonly trigger?: RunTrigger;
}

/** Result of driving a run as far as it can go now. */
export interface RunOutcome {
  readonly state: RunState;
  /** The lease epoch this controller acted under. */
  readonly epoch: number;
  /** True when this call started the run; false when it resumed or retried one. */
  readonly started: boolean;
}

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

/** How long a stopping runner waits for calls in flight to answer before it hands over; past it, the lease is left to lapse. */
const DRAIN_LIMIT_MS = 15_000;
const DRAIN_POLL_MS = 250;
/** Renewals tried before a call when the lease is short (each may be answered late). */
const RENEWALS_BEFORE_ACT = 3;
/** How often a runner past its point of no return looks again at the region it left to contain. */
const CONTAIN_EVERY_MS = 10_000;

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
  private readonly timing: LeaseTiming;
  private readonly actMarginMs: number;
  private hold: LeaseHold | undefined;
  private dead = false;
  /** Writes to the store go one at a time, each with the version the last one returned. */
  private writing: Promise<unknown> = Promise.resolve();
  private latest: RunState | undefined;
  /** Mutating calls in flight (a run's, or containment's): a stopping runner waits for them. */
  private acting = 0;
  private containing = false;
  private finished = false;

  /** Gates and counts containment calls made under this runner's lease. */
  readonly containmentGuard: ContainmentGuard = {
    mayAct: () => this.leaseForAct(),
    act: async (call) => {
      this.acting++;
      try {
        await call();
      } finally {
        this.acting--;
      }
    },
  };

  constructor(private readonly options: RunnerOptions) {
    this.ports = options.ports;
    this.settings = options.settings ?? engineSettingsOf(options.config);
    const skewMs = options.clockSkewMs ?? CLOCK_SKEW_MS;
    this.timing = { clock: options.ports.clock, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS, skewMs };
    this.actMarginMs = options.actMarginMs ?? DEFAULT_ACT_MARGIN_MS;
    // A lease that cannot outlast the skew bound plus the act margin never lets a call be made:
    // every invocation would end busy without a word, so refuse it where it is configured.
    if (this.timing.leaseMs <= leaseFloorMs(skewMs, this.actMarginMs)) {
      throw new RangeError(
        `leaseMs ${this.timing.leaseMs} is too short: it must exceed the clock-skew bound (${skewMs} ms) plus the act margin (${this.actMarginMs} ms), or no call could ever be made under it`,
      );
    }
  }

  /** Reads the control record without taking the lease. */
  static async read(ports: Ports, stateKey: string): Promise<Versioned<ControlRecord> | undefined> {
    return ports.stateStore.read<ControlRecord>(stateKey);
  }

  private get record(): ControlRecord {
    return this.hold?.record ?? { active: 'primary' };
  }

  private get held(): LeaseHold {
    if (!this.hold) throw new Error('the lease is not held');
    return this.hold;
  }

  private async acquire(): Promise<void> {
    this.hold = await acquireLease(this.ports.stateStore, this.options.stateKey, this.options.owner, this.timing);
  }

  /** Queues a write of `record` under the lease; every write of this runner goes through here, in order. */
  private write(record: (current: ControlRecord) => Omit<ControlRecord, 'lease'>, release = false): Promise<void> {
    const done = this.writing.then(async () => {
      if (this.dead && !release) throw new LeaseLostError(this.options.stateKey, this.hold?.epoch ?? 0);
      this.hold = await writeUnderLease(this.ports.stateStore, this.held, record(this.record), this.timing, release);
    });
    this.writing = done.catch(() => undefined);
    return done.catch((e: unknown) => {
      this.dead = true;
      throw e;
    });
  }

  private async persist(run: RunState): Promise<void> {
    this.latest = run;
    const now = this.ports.clock.now();
    // A finished run releases the lease at once so the next one need not wait for expiry.
    await this.write(
      (current) => ({
        run,
        active: run.committedAt !== undefined ? run.to : current.active,
        containment: nextContainment(current.containment, run, now),
      }),
      isTerminal(run.phase),
    );
    this.containInBackground(run);
  }

  /**
   * Once a run is past its point of no return and none of its own best-effort containment blocks
   * is in progress (they wait the drain time first), this runner keeps trying every few seconds
   * while it drives the run, under its lease: a region that comes back mid-run is fenced at
   * once rather than when the run ends.
   */
  private containInBackground(run: RunState): void {
    if (this.containing || run.committedAt === undefined || isTerminal(run.phase) || !this.record.containment) return;
    const ownTries = planBlocks(run).filter((b) => b.bestEffort && b.id.startsWith('contain-'));
    if (ownTries.some((b) => ['observing', 'acting', 'waiting'].includes(run.blocks[b.id]?.status ?? 'pending'))) return;
    this.containing = true;
    void (async () => {
      while (!this.finished && !this.dead) {
        const pending = this.record.containment;
        if (!pending) return;
        try {
          const look = await containOnce(this.ports, this.options.config, pending, this.containmentGuard);
          const { contained } = await recordLook(
            this.ports,
            this.options.config,
            pending,
            look,
            (containment) => this.write((current) => ({ ...current, containment })),
            false,
          );
          if (contained) return;
        } catch {
          // The region does not answer yet (or this runner stopped): look again later.
        }
        await this.ports.clock.sleep(CONTAIN_EVERY_MS);
      }
    })();
  }

  private release(): Promise<void> {
    return this.write((current) => current, true);
  }

  /** Writes a record that is not a run's (containment), keeping the lease. */
  async writeRecord(change: (current: ControlRecord) => Omit<ControlRecord, 'lease'>, release = false): Promise<ControlRecord> {
    await this.write(change, release);
    return this.record;
  }

  /**
   * Makes sure the lease has the act margin left, renewing it (and writing the latest state)
   * when it does not. False when it cannot be had: this runner must not act.
   */
  async leaseForAct(): Promise<boolean> {
    for (let i = 0; i <= RENEWALS_BEFORE_ACT; i++) {
      if (this.dead || !this.hold) return false;
      if (this.hold.validUntil - this.ports.clock.now() >= this.actMarginMs) return true;
      if (i === RENEWALS_BEFORE_ACT) break;
      try {
        await this.write((current) => (this.latest ? { ...current, run: this.latest } : current));
      } catch {
        return false;
      }
    }
    // Renewals keep coming back too late to act on: stop, and let the lease lapse to a successor.
    this.dead = true;
    return false;
  }

  /** Takes the lease, for work that is not a run (containment). Throws `LockHeldError` when another controller holds it. */
  async take(): Promise<ControlRecord> {
    await this.acquire();
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
    await this.acquire();
    const now = this.ports.clock.now();
    const decision = decideStart(this.record, request, this.decisionContext(now));
    if (decision.kind === 'refuse') return this.refuse(decision.error);
    return {
      state: await this.loop(this.firstTransition(decision, request, now)),
      epoch: this.held.epoch,
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
      const events = await Promise.all(runnable.map((c) => this.execute(c, state)));
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
    return { stateKey: this.options.stateKey, owner: this.options.owner, now, skewMs: this.timing.skewMs };
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
    await this.acquire();
    const existing = this.record.run;
    if (!existing || (isTerminal(existing.phase) && !retryable(existing))) {
      await this.release();
      return undefined;
    }
    return { state: await this.drive(existing, events(this.ports.clock.now(), existing)), epoch: this.held.epoch, started: false };
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
    return this.loop(this.applyAll(state, events));
  }

  private async loop(first: Transition & { readonly event?: RunEvent }): Promise<RunState> {
    try {
      return await this.loopUnguarded(first, first.event);
    } catch (e) {
      // Whatever stopped this runner, nothing it still has in flight may act on the world.
      this.dead = true;
      this.finished = true;
      throw e;
    }
  }

  private async loopUnguarded(first: Transition, firstEvent?: RunEvent): Promise<RunState> {
    const queue: RunEvent[] = [];
    let inflight = 0;
    let wake: (() => void) | undefined;
    const launch = (command: Command, state: RunState): void => {
      inflight++;
      if (command.kind === 'act') this.acting++;
      void this.execute(command, state).then((event) => {
        inflight--;
        if (command.kind === 'act') this.acting--;
        if (event) queue.push(event);
        wake?.();
      });
    };

    let state = first.state;
    await this.persist(state);
    this.options.onTransition?.(state, firstEvent, this.held.epoch);
    for (const c of first.commands) launch(c, state);
    let index = 0;
    for (;;) {
      if (queue.length === 0) {
        if (inflight === 0) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (
        this.dead ||
        this.options.signal?.aborted ||
        (this.options.deadline !== undefined && this.ports.clock.now() >= this.options.deadline)
      ) {
        const lost = this.dead;
        this.dead = true;
        // A call already sent may still land: hold the lease until it has answered (each call
        // has its own deadline), so the next controller never acts beside it.
        this.finished = true;
        for (let waited = 0; this.acting > 0 && waited < DRAIN_LIMIT_MS; waited += DRAIN_POLL_MS)
          await this.ports.clock.sleep(DRAIN_POLL_MS);
        // One still unanswered keeps the lease until it lapses rather than hand over beside it.
        if (this.acting === 0 && !lost) await this.release();
        return state;
      }
      const event = queue.shift() as RunEvent;
      this.options.beforeEvent?.(index++, event);
      const t = transition(state, event, this.settings);
      if (t.state !== state) {
        const durable = this.mustPersist(state, t);
        state = t.state;
        if (durable) await this.persist(state);
        else this.latest = state;
        this.options.onTransition?.(state, event, this.held.epoch);
      }
      for (const c of t.commands) launch(c, state);
    }
    this.finished = true;
    // Nothing left to do now but the run is not over (it awaits an approval): park it and free
    // the lease at once, so the operator who approves, or the next controller, need not wait.
    if (!isTerminal(state.phase) && !this.dead) await this.release();
    return state;
  }

  /**
   * Whether a transition must reach the store before its commands run. Always when it decides
   * to act (the write-ahead intent), when the run moves (phase, step, timeline), or when the
   * lease is a third spent. A poll that only observes again need not: a resumed run re-observes
   * every unfinished block anyway. This keeps a long wait from writing every two seconds.
   */
  private mustPersist(before: RunState, t: Transition): boolean {
    const after = t.state;
    if (t.commands.some((c) => c.kind === 'act')) return true;
    if (after.phase !== before.phase || after.stepIndex !== before.stepIndex || after.timeline.length !== before.timeline.length)
      return true;
    const expiresAt = this.hold?.record.lease?.expiresAt ?? 0;
    return this.ports.clock.now() >= expiresAt - (this.timing.leaseMs * 2) / 3;
  }

  private block(state: RunState, blockId: string): PlanBlock {
    const b = findBlock(state, blockId);
    if (!b) throw new Error(`no block ${blockId}`);
    return b;
  }

  /** Performs one command; returns the event it produced, if any. Never throws. */
  private async execute(command: Command, state: RunState): Promise<RunEvent | undefined> {
    if (this.dead) return undefined;
    const { ports } = this;
    const now = () => ports.clock.now();
    switch (command.kind) {
      case 'evaluate-preconditions': {
        const confirm = command.confirmImpairment ? () => confirmImpairment(ports, this.options.config) : undefined;
        const report = await evaluatePreconditions(state.plan, ports, state.maxDataLossSeconds, { confirmImpairment: confirm });
        return { kind: 'preconditions-evaluated', at: now(), problems: report.problems, replicaLagSeconds: report.replicaLagSeconds };
      }
      case 'request-approval': {
        await this.notify({
          subject: `${state.operation} awaits approval`,
          message: `run ${state.runId} needs an operator's approval within ${Math.round(state.approvalTimeoutSeconds / 60)} min: dr ${state.operation} approves it`,
          severity: 'critical',
          runId: state.runId,
        });
        try {
          const by = await this.options.approve?.(state);
          return by ? { kind: 'approval-granted', at: now(), by } : undefined;
        } catch {
          // No approval came (the prompt failed or was refused): the run stays waiting for one.
          return undefined;
        }
      }
      case 'notify':
        await this.notify(command.notification);
        return undefined;
      case 'wait':
        await ports.clock.sleep(command.ms);
        return { kind: 'timer-fired', at: now(), blockId: command.blockId, tick: command.tick };
      case 'observe': {
        try {
          const observation = await this.observe(this.block(state, command.blockId));
          return { kind: 'observed', at: now(), blockId: command.blockId, tick: command.tick, observation };
        } catch (e) {
          return {
            kind: 'observe-failed',
            at: now(),
            blockId: command.blockId,
            tick: command.tick,
            error: describeError(e),
            cause: failureCause(e),
          };
        }
      }
      case 'act': {
        if (!(await this.leaseForAct())) return undefined;
        try {
          await this.act(this.block(state, command.blockId));
          return { kind: 'acted', at: now(), blockId: command.blockId, tick: command.tick };
        } catch (e) {
          return {
            kind: 'act-failed',
            at: now(),
            blockId: command.blockId,
            tick: command.tick,
            error: describeError(e),
            cause: failureCause(e),
            retryable: isRetryable(e),
            landed: mayHaveLanded(e) ? 'unknown' : 'no',
          };
        }
      }
      default:
        return assertNever(command, 'command');
    }
  }

  private async notify(notification: Notification): Promise<void> {
    try {
      await this.ports.notifier.notify(notification);
    } catch {
      // A lost notification must never stop a failover.
    }
  }

  private async observe(block: PlanBlock): Promise<Observation> {
    const { database, compute, traffic, probe } = this.ports;
    const a = block.action;
    switch (a.kind) {
      case 'set-traffic-dial':
      case 'set-endpoint-weight':
      case 'await-drain':
        return { kind: 'endpoint-group', status: await traffic.describe(a.group) };
      case 'set-write-fence':
      case 'promote-replica':
      case 'create-replica':
      case 'reboot-instance':
      case 'set-backup-retention':
      case 'await-writable':
      case 'await-replica-sync':
        return { kind: 'database', status: await database.describe(a.db) };
      case 'retire-instance': {
        const [current, renamed] = await Promise.all([
          database.describe(a.db),
          database.describe({ ...a.db, dbInstanceIdentifier: a.newIdentifier }),
        ]);
        return { kind: 'rename', current, renamed };
      }
      case 'set-capacity':
      case 'await-healthy':
        return { kind: 'capacity', status: await compute.describe(a.asg) };
      case 'await-impairment': {
        const round = await readSignals(this.ports, this.options.config);
        const settings = this.options.config.detection;
        return {
          kind: 'signals',
          at: round.at,
          fails: roundFails(settings, round),
          seesHealthy: roundSeesHealthy(settings, round),
          readings: describeReadings(round),
        };
      }
      case 'verify-serving': {
        const [group, result] = await Promise.all([traffic.describe(a.group), probe.check({ url: a.url, timeoutMs: 5_000 })]);
        return { kind: 'serving', group, probe: result };
      }
      default:
        return assertNever(a, 'block action');
    }
  }

  private async act(block: PlanBlock): Promise<void> {
    const { database, compute, traffic } = this.ports;
    const a = block.action;
    switch (a.kind) {
      case 'set-traffic-dial':
        return traffic.setTrafficDial(a.group, a.percent);
      case 'set-endpoint-weight':
        return traffic.setEndpointWeight(a.group, a.weight);
      case 'set-write-fence':
        return database.setWriteFence(a.db, a.fenced);
      case 'promote-replica':
        return database.promoteReplica(a.db, { backupRetentionDays: a.backupRetentionDays });
      case 'set-capacity':
        return compute.setCapacity(a.asg, a.capacity);
      case 'retire-instance':
        return database.retireInstance(a.db, a.newIdentifier);
      case 'reboot-instance':
        return database.rebootInstance(a.db);
      case 'create-replica':
        return database.createReplica(a.db, a.source);
      case 'set-backup-retention':
        return database.setBackupRetention(a.db, a.days);
      case 'await-writable':
      case 'await-healthy':
      case 'await-replica-sync':
      case 'await-drain':
      case 'verify-serving':
      case 'await-impairment':
        throw new Error(`block ${block.id} only observes`);
      default:
        return assertNever(a, 'block action');
    }
  }
}
