import type { DrConfig } from '../config/schema.js';
import { isTerminal, type EngineSettings, type RunState } from '../machine/types.js';
import { buildPlan, otherRole } from '../plan/build-plan.js';
import type { Operation } from '../plan/types.js';
import type { ControlRecord } from '../runtime/lease.js';
import type { LatencyModel } from '../sim/latency.js';
import { Rng } from '../sim/random.js';
import { promotionTimes } from './audit.js';
import { buildReport, type DrillReport } from './report.js';
import { maintenanceRebootMs, scenarioEffects, scenarioSetup, type Scenario } from './scenarios.js';
import { DrillSession, type DrillChaos, type DrillProgress } from './session.js';

/** The operations a single drill runs (a lifecycle drill strings them together). */
export type DrillOperation = Exclude<Operation, 'rebuild'>;

/** Options of {@link runDrill}. */
export interface DrillOptions {
  readonly config: DrConfig;
  /** @default 'failover' */
  readonly operation?: DrillOperation;
  /** @default 'region-outage' for failover, 'none' for switchover and failback */
  readonly scenario?: Scenario;
  /** Same seed, same drill. @default 1 */
  readonly seed?: number;
  /**
   * Who starts a failover: the controller, once its detector says `down` (and it has confirmed
   * the impairment), or an operator running `dr failover` the moment the fault starts (no
   * detection, no confirmation: what `dr plan failover` times). @default 'controller'
   */
  readonly startedBy?: 'controller' | 'operator';
  /** Proceed past the RPO guard, and report the window risked. @default false */
  readonly force?: boolean;
  /** Overrides of the default latency model. */
  readonly latency?: Partial<LatencyModel>;
  /**
   * The DR region's compute runs at its desired capacity from the start (AWS's warm-standby
   * strategy, a configuration other than the pilot light): for comparison only. @default false
   */
  readonly warmStandby?: boolean;
  /**
   * With `approval.required` in the config: seconds until the simulated on-call operator approves
   * the failover (the human part of the RTO). @default 300
   */
  readonly approvalDelaySeconds?: number;
  /**
   * The scenario's fault ends after this many seconds (a region outage or 5xx burst that
   * recovers by itself). Undefined: the scenario's own length (most never end).
   */
  readonly outageSeconds?: number;
  /** How long to watch for a failover that never triggers, in seconds after the fault starts. @default 1800 */
  readonly watchSeconds?: number;
  /** Extra chaos on top of the scenario. */
  readonly chaos?: DrillChaos;
  readonly settings?: EngineSettings;
  readonly onProgress?: (progress: DrillProgress) => void;
}

/**
 * When a drill's fault starts: 1–3 minutes in, so the detector has a healthy baseline first.
 * Depends only on the seed, so other models of the same drill can start theirs at the same moment.
 */
export function drillFaultTime(seed: number, t0: number): number {
  return t0 + 60_000 + Math.floor(new Rng(seed).at('fault-offset') * 120_000);
}

/** The default scenario of an operation. */
export const defaultScenario = (operation: Operation): Scenario => (operation === 'failover' ? 'region-outage' : 'none');

/** How long after a run ends a drill keeps watching the world (for what the run left behind), at most. */
const AFTER_RUN_MS = 30 * 60_000;

/**
 * Runs a drill on the simulator: a two-region world built from the configuration, the scenario's
 * faults, and the real engine (detector, controller, runner, state machine) over a virtual clock.
 * A failover is detected and run by simulated controller invocations on a one-minute schedule,
 * overlapping as EventBridge's do; a switchover or failback is started by a simulated operator.
 * After the run, the drill keeps watching until the world settles (or 30 minutes), and audits
 * the invariants over the whole time. Deterministic: the same options give the same report.
 */
export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const operation = options.operation ?? 'failover';
  const scenario = options.scenario ?? defaultScenario(operation);
  const seed = options.seed ?? 1;
  const { config, crashAfterMs } = scenarioSetup(scenario, options.config, seed);
  const from = operation === 'failback' ? 'secondary' : 'primary';
  const to = otherRole(from);
  const session = new DrillSession({
    config,
    seed,
    latency: options.latency,
    warmStandby: options.warmStandby,
    settings: options.settings,
    layout: operation === 'failback' ? 'failed-over' : 'steady',
    chaos: options.chaos,
    force: options.force,
    onProgress: options.onProgress,
  });
  const { clock, store, keys } = session;
  const faultAt = operation === 'failover' ? drillFaultTime(seed, session.t0) : session.t0 + 60_000;
  const outageMs =
    options.outageSeconds !== undefined
      ? options.outageSeconds * 1000
      : scenario === 'maintenance-reboot'
        ? maintenanceRebootMs(seed)
        : undefined;
  const effects = scenarioEffects(scenario, config[from].region, config[to].region, faultAt, outageMs);
  session.applyScenario(effects);
  const emit = options.onProgress;
  if (operation === 'failback') await store.seed<ControlRecord>(keys.control, { active: 'secondary' });
  emit?.({ kind: 'plan', plan: buildPlan(config, operation, { from, runTag: `drill${seed}` }) });

  let observedUntil = session.t0;
  const finalRun = await clock.run(async (): Promise<RunState | undefined> => {
    if (scenario !== 'none')
      void clock.sleepUntil(faultAt).then(() => emit?.({ kind: 'fault', seconds: session.seconds(faultAt), description: scenario }));
    session.startController(operation === 'failover' && crashAfterMs !== undefined ? { afterMs: crashAfterMs } : undefined);
    if (!effects.approval && config.approval.required && operation === 'failover') void approveWhenAsked(session, options, faultAt);
    let run: RunState | undefined;
    if (operation === 'failover' && options.startedBy === 'operator') {
      await clock.sleepUntil(faultAt);
      run = await session.operate('failover', { force: options.force });
    } else if (operation === 'failover') {
      run = await watchDetectorRun(session, faultAt + (options.watchSeconds ?? 1_800) * 1000);
    } else {
      await clock.sleepUntil(session.t0 + 60_000);
      run = await session.operate(operation, { force: options.force, crashAfterMs });
    }
    const endedAt = clock.now();
    await session.settle(endedAt + AFTER_RUN_MS);
    observedUntil = clock.now();
    session.stopController();
    return run;
  }, 48 * 3_600_000);

  const audit = session.audit(observedUntil);
  const record = await store.peek<ControlRecord>(keys.control);
  const recoveredAt = effects.recoversAt;
  const lateBy = config.detection.intervalSeconds * 1000;
  return buildReport({
    promoted: promotionTimes(session.world).length > 0,
    startedAfterRecovery:
      recoveredAt !== undefined && [...session.spans.values()].some((s) => s.operation === 'failover' && s.from > recoveredAt + lateBy),
    config,
    operation,
    scenario,
    seed,
    t0: session.t0,
    impairedAt: operation === 'failover' && effects.impairs ? faultAt : undefined,
    regionImpaired: effects.impairs,
    recoveredAt: effects.recoversAt,
    run: finalRun,
    world: session.world,
    audit,
    activeRegion: config[record?.value.active ?? 'primary'].region,
    controller: { invocations: session.invocations, crashes: session.crashes, stateWrites: store.writes },
  });
}

/** The operator approves the detector's failover when the notice comes, after `approvalDelaySeconds`. */
async function approveWhenAsked(session: DrillSession, options: DrillOptions, faultAt: number): Promise<void> {
  await session.clock.sleepUntil(faultAt);
  const asked = await session.waitFor(
    async () => (await session.record())?.run?.phase === 'awaiting-approval',
    faultAt + (options.watchSeconds ?? 1_800) * 1000,
    5_000,
  );
  if (!asked) return;
  await session.clock.sleep((options.approvalDelaySeconds ?? 300) * 1000);
  session.note('the on-call operator approved the failover');
  await session.operate('failover', { approveOnly: true });
}

/**
 * Watches the detector's run until it ends, or `watchUntil`. A failover that failed past its
 * point of no return is retried by the controller: watch on, and report the last end it came to
 * if it is still going when the watch is over.
 */
async function watchDetectorRun(session: DrillSession, watchUntil: number): Promise<RunState | undefined> {
  let run: RunState | undefined;
  await session.waitFor(
    async () => {
      const now = (await session.record())?.run;
      if (now && isTerminal(now.phase)) run = now;
      return (
        now !== undefined &&
        isTerminal(now.phase) &&
        !(now.phase === 'failed' && now.trigger === 'detector' && now.committedAt !== undefined)
      );
    },
    watchUntil,
    10_000,
  );
  return run ?? (await session.record())?.run;
}
