/**
 * A drill session: one simulated world, the failover controller invoked on its schedule, and a
 * simulated operator running `dr`, all on a virtual clock. What it is given and streams is in
 * `session-options.ts`; the crashes it injects, in `crashes.ts`.
 */
import type { DrConfig } from '../config/schema.js';
import { describeReading, type DetectorRound, type DetectorState, type Verdict } from '../detector/detector.js';
import { describeError, isLeaseLost, isLockHeld, isOperationRejected } from '../errors.js';
import { engineSettingsOf, isTerminal, type EngineSettings, type RunEvent, type RunState } from '../machine/types.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Operation, Plan } from '../plan/types.js';
import type { ControlRecord } from '../runtime/lease.js';
import { Runner } from '../runtime/runner.js';
import { stateKeys } from '../runtime/supervise.js';
import { Rng } from '../sim/random.js';
import { SimPorts } from '../sim/sim-ports.js';
import { SimStateStore } from '../sim/sim-state-store.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { SimWorld, type Faults } from '../sim/world.js';
import { secs } from '../util/tenths.js';
import { auditWorld, type Audit } from './audit.js';
import { ControllerSchedule } from './controller-schedule.js';
import { crashBetweenEvents, SimulatedCrash, type CrashPlan } from './crashes.js';
import type { ScenarioEffects } from './scenarios.js';
import type { RunSpan, SessionOptions } from './session-options.js';

export type { DrillChaos, DrillProgress, RunSpan, SessionOptions } from './session-options.js';

/**
 * One simulated world and its controllers, on a virtual clock: EventBridge invokes the failover
 * controller every minute whether or not the last invocation has ended (so invocations overlap,
 * as they do on AWS), and a simulated operator runs `dr` commands. Single drills and lifecycle
 * drills are built on it. Deterministic: the same options give the same session.
 */
export class DrillSession {
  readonly clock = new VirtualClock();
  readonly t0 = this.clock.now();
  readonly rng: Rng;
  readonly world: SimWorld;
  readonly store: SimStateStore;
  readonly ports: SimPorts;
  readonly keys: ReturnType<typeof stateKeys>;
  readonly settings: EngineSettings;
  /** Runs seen, by id, with when they started and last ended. */
  readonly spans = new Map<string, RunSpan>();
  invocations = 0;
  crashes = 0;
  /** Invocations that found their scheduled event stale and did nothing. */
  staleTicks = 0;
  private readonly schedule: ControllerSchedule;
  private logged = new Map<string, number>();
  private lastVerdict: Verdict = 'healthy';
  private runCounter = 0;
  private operatorCount = 0;

  constructor(readonly options: SessionOptions) {
    this.rng = new Rng(options.seed);
    this.world = new SimWorld(
      options.config,
      this.t0,
      { ...options.faults, lostResponseRate: options.chaos?.lostResponseRate ?? options.faults?.lostResponseRate },
      { seed: options.seed, latency: options.latency, layout: options.layout, warmStandby: options.warmStandby },
    );
    this.store = new SimStateStore(this.clock, this.rng, this.world.latency.stateStoreMs, options.chaos?.lateWrites);
    this.ports = new SimPorts(this.world, this.clock, this.store);
    this.keys = stateKeys(options.config.app);
    this.settings = options.settings ?? engineSettingsOf(this.config);
    this.schedule = new ControllerSchedule(this, {
      onRound: this.onRound,
      onTransition: this.onTransition,
      crasher: (owner, forced) => this.crasher(owner, forced),
    });
  }

  get config(): DrConfig {
    return this.options.config;
  }

  /** Seconds since the session began, to a tenth. */
  seconds(at = this.clock.now()): number {
    return secs(at - this.t0);
  }

  note(message: string): void {
    this.options.onProgress?.({ kind: 'controller', seconds: this.seconds(), message });
  }

  nextRunId(): string {
    return `drill-${this.options.seed}-${++this.runCounter}`;
  }

  async record(): Promise<ControlRecord | undefined> {
    return (await this.store.peek<ControlRecord>(this.keys.control))?.value;
  }

  /** Records each new timeline entry of a run once, streams it, and keeps the run's span. */
  private onTransition = (state: RunState): void => {
    const seen = this.logged.get(state.runId) ?? 0;
    for (const entry of state.timeline.slice(seen))
      this.options.onProgress?.({ kind: 'timeline', seconds: this.seconds(entry.at), entry, state });
    this.logged.set(state.runId, state.timeline.length);
    const span = this.spans.get(state.runId) ?? { runId: state.runId, operation: state.operation, from: state.triggeredAt, to: undefined };
    span.to = isTerminal(state.phase) ? (state.timeline.at(-1)?.at ?? this.clock.now()) : undefined;
    this.spans.set(state.runId, span);
  };

  private onRound = (round: DetectorRound, state: DetectorState): void => {
    if (state.verdict === this.lastVerdict) return;
    this.lastVerdict = state.verdict;
    const readings = Object.fromEntries(Object.entries(round.readings).map(([k, r]) => [k, describeReading(r)]));
    this.options.onProgress?.({ kind: 'verdict', seconds: this.seconds(), verdict: state.verdict, readings });
  };

  /** The crash plan of a runner owned by `owner` (see {@link crashBetweenEvents}). */
  private crasher(owner: string, forced: CrashPlan | undefined): ((index: number, event: RunEvent) => void) | undefined {
    return crashBetweenEvents(owner, forced, {
      crashRate: this.options.chaos?.crashRate ?? 0,
      rng: this.rng,
      clock: this.clock,
      onCrash: () => this.crashes++,
    });
  }

  /**
   * Starts the schedule: an invocation of the controller every minute from now until stopped,
   * each running on its own (overlapping the last if it is still busy), each stopped at Lambda's
   * timeout. `crashOnce` crashes the first invocation that drives a run, that long into it.
   */
  startController(crashOnce?: { afterMs: number }): void {
    this.schedule.start(crashOnce);
  }

  /** Stops scheduling invocations (those running finish on their own). */
  stopController(): void {
    this.schedule.stop();
  }

  /**
   * The simulated on-call operator runs `dr <operation>`: a runner of its own through the same
   * state table; after a crash of its session, or a lease held by a controller, it tries again.
   * With `approveOnly`, it approves (resumes) a parked run instead of starting one.
   */
  async operate(
    operation: Operation,
    options: { readonly force?: boolean; readonly approveOnly?: boolean; readonly crashAfterMs?: number } = {},
  ): Promise<RunState | undefined> {
    let plan: Plan;
    try {
      const record = await this.record();
      plan = buildPlan(this.config, operation, {
        from: operation === 'rebuild' ? (record?.active ?? 'primary') : undefined,
        runTag: `drill${this.options.seed}${this.runCounter + 1}`,
      });
    } catch (e) {
      this.note(`operator: dr ${operation} refused: ${describeError(e)}`);
      return undefined;
    }
    const crash = options.crashAfterMs === undefined ? undefined : { afterMs: options.crashAfterMs };
    for (let attempt = 1; attempt <= 20; attempt++) {
      const owner = `operator-${++this.operatorCount}`;
      const beforeEvent = this.crasher(owner, crash);
      const runner = new Runner({
        ports: this.ports.forCaller(owner),
        config: this.config,
        owner,
        stateKey: this.keys.control,
        settings: this.settings,
        onTransition: this.onTransition,
        beforeEvent,
        approve: async () => owner,
      });
      try {
        if (options.approveOnly) return (await runner.resume())?.state;
        const outcome = await runner.start({
          runId: this.nextRunId(),
          operation,
          plan,
          maxDataLossSeconds: this.config.objectives.maxDataLossSeconds,
          force: options.force,
        });
        if (isTerminal(outcome.state.phase)) return outcome.state;
      } catch (e) {
        if (e instanceof SimulatedCrash)
          this.note(`operator's session crashed (${e.message}); running dr ${operation} again resumes the run`);
        else if (isLockHeld(e) || isLeaseLost(e)) this.note(`operator: ${describeError(e)}`);
        else if (isOperationRejected(e)) {
          this.note(`operator: dr ${operation} refused: ${describeError(e)}`);
          return undefined;
        } else throw e;
      }
      await this.clock.sleep(30_000);
    }
    return (await this.record())?.run;
  }

  /**
   * Applies a scenario's effects: its faults from now on, its late state writes, and, when it
   * has the operator approve at a set time, that approval (`dr failover` resuming the parked run).
   */
  applyScenario(effects: ScenarioEffects): void {
    this.world.inject(effects.faults);
    if (effects.lateWrites) this.store.late = effects.lateWrites;
    const approval = effects.approval;
    if (approval) {
      void this.clock.sleepUntil(approval.at).then(async () => {
        this.note('the on-call operator approves the failover (dr failover)');
        await this.operate('failover', { approveOnly: true });
      });
    }
  }

  /**
   * Ends a scenario's effects once the operation it was about is over: state writes back to the
   * session's chaos, and each fault it set turned off. Its windows (outages, 5xx, capacity
   * losses) are left to end by themselves.
   */
  endScenario(effects: ScenarioEffects): void {
    this.store.late = this.options.chaos?.lateWrites;
    const windows: readonly (keyof Faults)[] = ['outages', 'alb5xx', 'capacityLoss'];
    const set = (Object.keys(effects.faults) as (keyof Faults)[]).filter((key) => !windows.includes(key));
    this.world.inject(Object.fromEntries(set.map((key) => [key, undefined])));
  }

  /** The invariants audited on the world from the session's start until `until`, over every run seen. */
  audit(until: number): Audit {
    return auditWorld({ world: this.world, from: this.t0, to: until, runs: [...this.spans.values()], grants: this.store.grants });
  }

  /** Waits until `done` holds, checking every `everyMs`, up to `untilAt`. True when it held. */
  async waitFor(done: () => Promise<boolean>, untilAt: number, everyMs = 30_000): Promise<boolean> {
    for (;;) {
      if (await done()) return true;
      if (this.clock.now() >= untilAt) return false;
      await this.clock.sleep(Math.min(everyMs, untilAt - this.clock.now()));
    }
  }

  /**
   * Waits until the world has settled: no unfinished run (nor a failed one the controller is
   * retrying), nothing left to contain, every fault over, and the DR replica (if any) caught up.
   */
  async settle(untilAt: number): Promise<boolean> {
    return this.waitFor(async () => {
      const record = await this.record();
      const run = record?.run;
      if (run && (!isTerminal(run.phase) || (run.phase === 'failed' && run.trigger === 'detector'))) return false;
      if (record?.containment) return false;
      const end = this.world.faultsEnd();
      if (end === undefined || end > this.clock.now()) return false;
      const active = record?.active ?? 'primary';
      const dark = this.config[active === 'primary' ? 'secondary' : 'primary'];
      const replica = this.world.findDb(dark.region, dark.dbInstanceIdentifier, this.clock.now());
      if (
        replica &&
        (this.world.aurora
          ? this.world.aurora.writerAt(this.clock.now()).instance !== replica
          : this.world.rds.roleAt(replica, this.clock.now()) === 'replica')
      ) {
        const lag = this.world.lagMsAt(replica, this.clock.now());
        if (lag === undefined || lag > 15_000) return false;
      }
      return true;
    }, untilAt);
  }
}
