import type { DrConfig } from '../config/schema.js';
import { summarizeRun } from '../machine/summary.js';
import { isTerminal, type EngineSettings, type RunState } from '../machine/types.js';
import { otherRole } from '../plan/build-plan.js';
import type { Operation } from '../plan/types.js';
import type { LatencyModel } from '../sim/latency.js';
import { brokenInvariants } from './audit.js';
import { checkPilotLight, retiredInstancesAt, stepReport, type LifecycleReport, type LifecycleStep } from './lifecycle-report.js';
import { scenarioEffects, scenarioOperation, scenarioSetup, type Scenario } from './scenarios.js';
import { DrillSession, type DrillChaos, type DrillProgress } from './session.js';

export {
  checkPilotLight,
  type LifecycleReport,
  type LifecycleStep,
  type PilotLightCheck,
  type RetiredInstance,
} from './lifecycle-report.js';

/** The operations a lifecycle strings together. */
export type LifecycleOperation = 'failover' | 'switchover' | 'failback';

/** What a lifecycle drill runs when not told: the second failover is where a fence left behind would bite. */
export const DEFAULT_SEQUENCE: readonly LifecycleOperation[] = ['failover', 'failback', 'failover', 'failback', 'switchover', 'failback'];

const OPERATIONS: readonly LifecycleOperation[] = ['failover', 'switchover', 'failback'];

/**
 * What is wrong with a sequence, each problem naming the operation: an unknown one, or one that
 * cannot follow the one before it (traffic must be on the primary for a failover or switchover,
 * on the secondary for a failback).
 */
export function sequenceIssues(sequence: readonly string[]): string[] {
  const issues: string[] = [];
  if (sequence.length === 0) issues.push('the sequence names no operation');
  let active: 'primary' | 'secondary' = 'primary';
  sequence.forEach((op, i) => {
    const where = `operation ${i + 1} (${op})`;
    if (!(OPERATIONS as readonly string[]).includes(op)) {
      issues.push(`${where}: unknown; the operations are ${OPERATIONS.join(', ')}`);
      return;
    }
    const needs = op === 'failback' ? 'secondary' : 'primary';
    if (active !== needs) {
      const before = i === 0 ? 'it comes first' : `it follows ${sequence[i - 1]}`;
      issues.push(`${where}: cannot run here: ${before}, so traffic is on the ${active} region and a ${op} needs it on the ${needs}`);
    }
    active = needs === 'primary' ? 'secondary' : 'primary';
  });
  return issues;
}

/** Options of {@link runLifecycle}. */
export interface LifecycleOptions {
  readonly config: DrConfig;
  /** @default DEFAULT_SEQUENCE */
  readonly sequence?: readonly LifecycleOperation[];
  /**
   * The fault of the operation it is about (the first failover, or the first switchover for `target-fails-mid-switchover`). @default
   * 'region-outage'
   */
  readonly scenario?: Scenario;
  /** @default 1 */
  readonly seed?: number;
  readonly latency?: Partial<LatencyModel>;
  readonly settings?: EngineSettings;
  readonly chaos?: DrillChaos;
  readonly onProgress?: (progress: DrillProgress) => void;
}

/** How long a lifecycle waits for the world to settle after an operation, at most. */
const SETTLE_MS = 6 * 3_600_000;
/** How long the detector is given to notice the scenario's fault, at most. */
const WATCH_MS = 2 * 3_600_000;

/**
 * Runs operations one after another on one simulated world: a lifecycle. The scenario's fault
 * applies to the operation it is about (the first failover, which the controller must detect,
 * or the first switchover for `target-fails-mid-switchover`); the other operations are started
 * by the simulated operator, each once the previous one ended and the world settled (faults
 * over, the old region contained, the replica caught up). A run whose summary says the pilot
 * light must be rebuilt is followed by `dr rebuild`, as its operator would. The invariants are
 * audited over the whole life, and the pilot light checked at the end.
 */
export async function runLifecycle(options: LifecycleOptions): Promise<LifecycleReport> {
  const sequence = options.sequence ?? DEFAULT_SEQUENCE;
  const issues = sequenceIssues(sequence);
  if (issues.length > 0) throw new Error(`invalid sequence: ${issues.join('; ')}`);
  const scenario = options.scenario ?? 'region-outage';
  const seed = options.seed ?? 1;
  const { config, crashAfterMs } = scenarioSetup(scenario, options.config, seed);
  const session = new DrillSession({
    config,
    seed,
    latency: options.latency,
    settings: options.settings,
    chaos: options.chaos,
    onProgress: options.onProgress,
  });
  const { clock, world } = session;
  const life: Life = { session, scenario, about: scenarioOperation(scenario), applied: false, steps: [] };
  let observedUntil = session.t0;

  await clock.run(
    async () => {
      session.startController(crashAfterMs === undefined ? undefined : { afterMs: crashAfterMs });
      await clock.sleep(60_000);
      for (const operation of sequence) await runOperation(life, operation);
      await clock.sleep(10 * 60_000);
      observedUntil = clock.now();
      session.stopController();
    },
    7 * 24 * 3_600_000,
  );

  const audit = session.audit(observedUntil);
  const record = await session.record();
  const pilotLight = checkPilotLight(world, config, record?.active ?? 'primary', observedUntil, [...session.spans.values()]);
  const inv = audit.invariants;
  const held = brokenInvariants(inv).length === 0;
  // The scenario's own operation may rightly end without moving traffic (rolled back, refused, not
  // triggered); every other one must complete, or be skipped because of it.
  const allDone = life.steps.every(
    (s) =>
      s.outcome === 'completed' ||
      s.outcome === 'skipped' ||
      (s.scenario !== null && ['rolled-back', 'refused', 'not-triggered'].includes(s.outcome)),
  );
  return {
    operation: 'lifecycle',
    seed,
    scenario,
    sequence,
    outcome: held && allDone && pilotLight.restored ? 'completed' : 'failed',
    operations: life.steps,
    invariants: inv,
    returnExposureSeconds: audit.returnExposureSeconds,
    pilotLightRestored: pilotLight.restored,
    pilotLight,
    retiredInstances: retiredInstancesAt(world, observedUntil),
    durationSeconds: session.seconds(observedUntil),
    controller: { invocations: session.invocations, crashes: session.crashes, stateWrites: session.store.writes },
  };
}

/** A lifecycle as it goes: its session, its scenario (and whether its fault was applied yet), and the steps so far. */
interface Life {
  readonly session: DrillSession;
  readonly scenario: Scenario;
  /** The operation the scenario's fault is about. */
  readonly about: Operation | undefined;
  applied: boolean;
  readonly steps: LifecycleStep[];
}

/**
 * One operation of the sequence: skipped when traffic is not where it needs it; the first one
 * the scenario is about gets its fault (a failover's is detected by the controller); then the
 * world settles, and a run that says the pilot light must be rebuilt is followed by `dr rebuild`.
 */
async function runOperation(life: Life, operation: LifecycleOperation): Promise<void> {
  const { session, scenario } = life;
  const { clock, config } = session;
  const startAt = clock.now();
  const active = (await session.record())?.active ?? 'primary';
  const needs = operation === 'failback' ? 'secondary' : 'primary';
  if (active !== needs) {
    life.steps.push(
      stepReport(session, operation, undefined, startAt, null, undefined, `traffic is on the ${active} region: nothing to ${operation}`),
    );
    return;
  }
  const here = !life.applied && scenario !== 'none' && life.about === operation;
  life.applied ||= here;
  const from = config[active].region;
  const to = config[otherRole(active)].region;
  let run: RunState | undefined;
  let impairedAt: number | undefined;
  if (here && operation === 'failover') {
    impairedAt = startAt + 60_000 + Math.floor(session.rng.at(`fault:${startAt}`) * 120_000);
    const outageMs = 20 * 60_000 + Math.floor(session.rng.at(`outage:${startAt}`) * 20 * 60_000);
    const effects = scenarioEffects(scenario, from, to, impairedAt, outageMs);
    session.applyScenario(effects);
    run = await detectorRun(session, startAt, impairedAt + WATCH_MS);
    // The scenario's fault was about this operation; the world goes back to normal.
    session.endScenario(effects);
  } else {
    if (here) session.applyScenario(scenarioEffects(scenario, from, to, startAt));
    run = await session.operate(operation);
  }
  await session.settle(clock.now() + SETTLE_MS);
  life.steps.push(stepReport(session, operation, run, startAt, here ? scenario : null, impairedAt));
  if (run && summarizeRun(run).next.startsWith('dr rebuild')) {
    const rebuildAt = clock.now();
    const rebuilt = await session.operate('rebuild');
    await session.settle(clock.now() + SETTLE_MS);
    life.steps.push(stepReport(session, 'rebuild', rebuilt, rebuildAt, null, undefined));
  }
}

/**
 * The detector's run started since `startAt`, once it has ended (a failed one past its point of
 * no return is retried by the controller: not yet), or as it is at `untilAt`.
 */
async function detectorRun(session: DrillSession, startAt: number, untilAt: number): Promise<RunState | undefined> {
  let run: RunState | undefined;
  await session.waitFor(async () => {
    run = (await session.record())?.run;
    const ours = run !== undefined && run.triggeredAt >= startAt;
    return ours && isTerminal(run!.phase) && !(run!.phase === 'failed' && run!.committedAt !== undefined);
  }, untilAt);
  run = (await session.record())?.run;
  return run !== undefined && run.triggeredAt >= startAt ? run : undefined;
}
