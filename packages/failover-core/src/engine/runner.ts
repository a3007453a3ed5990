import { describeError, isRetryable, mayHaveLanded, OperationRejectedError } from '../errors.js';
import type { RegionRole } from '../config/schema.js';
import { acquireLease, writeUnderLease, type ControlRecord, type LeaseHold } from './lease.js';
import type { Operation, Plan, PlanBlock } from '../plan/types.js';
import type { Observation } from './types.js';
import type { Ports, Versioned } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import { evaluatePreconditions } from './preconditions.js';
import { startRun, transition } from './transition.js';
import {
  DEFAULT_ENGINE_SETTINGS,
  TERMINAL_PHASES,
  type Command,
  type EngineSettings,
  type RunEvent,
  type RunState,
  type RunTrigger,
  type Transition,
} from './types.js';

/** Everything a runner needs. */
export interface RunnerOptions {
  readonly ports: Ports;
  /** Identifies this controller in the lease, such as a Lambda request id or `cli:alice@host`. */
  readonly owner: string;
  /** The state store key of the application's control record. */
  readonly stateKey: string;
  /** How long a lease lasts without renewal; every persisted transition renews it. @default 60000 */
  readonly leaseMs?: number;
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
   * An abort signal (any object with `aborted`); aborting it stops the runner as reaching the deadline does: no new events, the lease
   * released, the unfinished state returned for a resume (an operator's Ctrl-C).
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
  /** True when this call started the run; false when it resumed one. */
  readonly started: boolean;
}

const DEFAULT_LEASE_MS = 60_000;
/** How long a stopping runner waits for calls in flight to answer before it hands over; past it, the lease is left to lapse. */
const DRAIN_LIMIT_MS = 15_000;
const DRAIN_POLL_MS = 250;

/**
 * Drives the state machine through a set of ports: persists every transition with
 * compare-and-set before performing its commands (so the stored state is always a write-ahead
 * record), performs commands concurrently, and feeds their results back one at a time.
 */
export class Runner {
  private readonly ports: Ports;
  private readonly settings: EngineSettings;
  private readonly leaseMs: number;
  private hold: LeaseHold | undefined;
  private dead = false;

  constructor(private readonly options: RunnerOptions) {
    this.ports = options.ports;
    this.settings = options.settings ?? DEFAULT_ENGINE_SETTINGS;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
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
    this.hold = await acquireLease(this.ports.stateStore, this.options.stateKey, this.options.owner, this.ports.clock.now(), this.leaseMs);
  }

  private async persist(run: RunState): Promise<void> {
    const now = this.ports.clock.now();
    const terminal = TERMINAL_PHASES.includes(run.phase);
    const active = run.phase === 'completed' ? run.to : this.record.active;
    try {
      // A finished run releases the lease at once so the next one need not wait for expiry.
      this.hold = await writeUnderLease(this.ports.stateStore, this.held, { run, active }, terminal ? now : now + this.leaseMs);
    } catch (e) {
      this.dead = true;
      throw e;
    }
  }

  /**
   * Starts a run, or resumes the one in the store if it is unfinished and of the same operation.
   * @throws `LockHeldError` when another controller is acting; an `Error` when a different
   * operation is unfinished.
   */
  async start(request: StartRequest): Promise<RunOutcome> {
    await this.acquire();
    const existing = this.record.run;
    if (existing && !TERMINAL_PHASES.includes(existing.phase)) {
      if (existing.operation !== request.operation) {
        // Refusing must not keep others out: give the lease back before saying no.
        await this.release();
        throw new OperationRejectedError(`an unfinished ${existing.operation} (${existing.runId}) must finish before a ${request.operation} can start`);
      }
      return { state: await this.drive(existing, { kind: 'resumed', at: this.ports.clock.now() }), epoch: this.held.epoch, started: false };
    }
    if (this.record.active !== request.plan.from) {
      await this.release();
      throw new OperationRejectedError(
        `traffic is served from the ${this.record.active} region already; a ${request.operation} from ${request.plan.from} has nothing to do`,
      );
    }
    const first = startRun({ ...request, at: this.ports.clock.now() });
    return { state: await this.loop(first), epoch: this.held.epoch, started: true };
  }

  /** Resumes the unfinished run in the store. Returns undefined when there is none. */
  async resume(): Promise<RunOutcome | undefined> {
    await this.acquire();
    const existing = this.record.run;
    if (!existing || TERMINAL_PHASES.includes(existing.phase)) {
      await this.release();
      return undefined;
    }
    return { state: await this.drive(existing, { kind: 'resumed', at: this.ports.clock.now() }), epoch: this.held.epoch, started: false };
  }

  /** The region serving traffic according to the store (after `start` or `resume`). */
  get activeRegion(): RegionRole {
    return this.record.active;
  }

  private async release(): Promise<void> {
    this.hold = await writeUnderLease(this.ports.stateStore, this.held, this.record, this.ports.clock.now());
  }

  private async drive(state: RunState, event: RunEvent): Promise<RunState> {
    return this.loop(transition(state, event, this.settings), event);
  }

  private async loop(first: Transition, firstEvent?: RunEvent): Promise<RunState> {
    try {
      return await this.loopUnguarded(first, firstEvent);
    } catch (e) {
      // Whatever stopped this runner, nothing it still has in flight may act on the world.
      this.dead = true;
      throw e;
    }
  }

  private async loopUnguarded(first: Transition, firstEvent?: RunEvent): Promise<RunState> {
    const queue: RunEvent[] = [];
    let inflight = 0;
    let wake: (() => void) | undefined;
    let acting = 0;
    const launch = (command: Command, state: RunState): void => {
      inflight++;
      if (command.kind === 'act') acting++;
      void this.execute(command, state).then((event) => {
        inflight--;
        if (command.kind === 'act') acting--;
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
      if (this.options.signal?.aborted || (this.options.deadline !== undefined && this.ports.clock.now() >= this.options.deadline)) {
        this.dead = true;
        // A call already sent may still land: hold the lease until it has answered (each call
        // has its own deadline), so the next controller never acts beside it.
        for (let waited = 0; acting > 0 && waited < DRAIN_LIMIT_MS; waited += DRAIN_POLL_MS) await this.ports.clock.sleep(DRAIN_POLL_MS);
        // One still unanswered keeps the lease until it lapses rather than hand over beside it.
        if (acting === 0) await this.release();
        return state;
      }
      const event = queue.shift() as RunEvent;
      this.options.beforeEvent?.(index++, event);
      const t = transition(state, event, this.settings);
      if (t.state !== state) {
        const durable = this.mustPersist(state, t);
        state = t.state;
        if (durable) await this.persist(state);
        this.options.onTransition?.(state, event, this.held.epoch);
      }
      for (const c of t.commands) launch(c, state);
    }
    // Nothing left to do now but the run is not over (it awaits an approval): park it and free
    // the lease at once, so the operator who approves, or the next controller, need not wait.
    if (!TERMINAL_PHASES.includes(state.phase)) await this.release();
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
    if (after.phase !== before.phase || after.stepIndex !== before.stepIndex || after.timeline.length !== before.timeline.length) return true;
    const expiresAt = this.hold?.record.lease?.expiresAt ?? 0;
    return this.ports.clock.now() >= expiresAt - (this.leaseMs * 2) / 3;
  }

  private block(state: RunState, blockId: string): PlanBlock {
    const b = state.plan.steps.flatMap((s) => s.blocks).find((x) => x.id === blockId);
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
        const report = await evaluatePreconditions(state.plan, ports, state.maxDataLossSeconds);
        return { kind: 'preconditions-evaluated', at: now(), problems: report.problems, replicaLagSeconds: report.replicaLagSeconds };
      }
      case 'request-approval': {
        await this.notify({ subject: `${state.operation} awaits approval`, message: `run ${state.runId} needs an operator's approval`, severity: 'critical', runId: state.runId });
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
          return { kind: 'observe-failed', at: now(), blockId: command.blockId, tick: command.tick, error: describeError(e) };
        }
      }
      case 'act': {
        try {
          await this.act(this.block(state, command.blockId));
          return { kind: 'acted', at: now(), blockId: command.blockId, tick: command.tick };
        } catch (e) {
          return { kind: 'act-failed', at: now(), blockId: command.blockId, tick: command.tick, error: describeError(e), retryable: isRetryable(e), landed: mayHaveLanded(e) ? 'unknown' : 'no' };
        }
      }
      default:
        return assertNever(command, 'command');
    }
  }

  private async notify(notification: Parameters<Ports['notifier']['notify']>[0]): Promise<void> {
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
        return { kind: 'endpoint-group', status: await traffic.describe(a.group) };
      case 'set-write-fence':
      case 'promote-replica':
      case 'create-replica':
      case 'await-writable':
      case 'await-replica-sync':
        return { kind: 'database', status: await database.describe(a.db) };
      case 'rename-instance': {
        const [current, renamed] = await Promise.all([database.describe(a.db), database.describe({ ...a.db, dbInstanceIdentifier: a.newIdentifier })]);
        return { kind: 'rename', current, renamed };
      }
      case 'set-capacity':
      case 'await-healthy':
        return { kind: 'capacity', status: await compute.describe(a.asg) };
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
        return database.promoteReplica(a.db);
      case 'set-capacity':
        return compute.setCapacity(a.asg, a.capacity);
      case 'rename-instance':
        return database.retireInstance(a.db, a.newIdentifier);
      case 'create-replica':
        return database.createReplica(a.db, a.source);
      case 'await-writable':
      case 'await-healthy':
      case 'await-replica-sync':
      case 'verify-serving':
        throw new Error(`block ${block.id} only observes`);
      default:
        return assertNever(a, 'block action');
    }
  }
}
