import type { DrConfig } from '../config/schema.js';
import { estimateMonthlyCost } from '../cost/rds-prices.js';
import { measureRun } from '../machine/measures.js';
import { summarizeRun } from '../machine/summary.js';
import { isTerminal, type EngineSettings, type RunState } from '../machine/types.js';
import { otherRole } from '../plan/build-plan.js';
import type { Operation } from '../plan/types.js';
import type { LatencyModel } from '../sim/latency.js';
import type { SimWorld } from '../sim/world.js';
import { brokenInvariants, promotionsIn, type Invariants } from './audit.js';
import { drillOutcome, type DrillOutcome } from './report.js';
import { scenarioEffects, scenarioOperation, scenarioSetup, type Scenario } from './scenarios.js';
import { DrillSession, type DrillChaos, type DrillProgress } from './session.js';

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

/** One operation of a lifecycle. Seconds are since the lifecycle began. */
export interface LifecycleStep {
  readonly operation: Operation;
  /** Who started it: the controller's detector, or the simulated operator. */
  readonly trigger: 'detector' | 'operator' | null;
  /** `skipped` when traffic was not where the operation needs it (an earlier one did not move it). */
  readonly outcome: DrillOutcome | 'skipped';
  readonly runId: string | null;
  readonly scenario: Scenario | null;
  readonly detectSeconds: number | null;
  readonly rtoSeconds: number | null;
  readonly rpoSeconds: number | null;
  readonly durationSeconds: number | null;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly promotions: number;
  /** Why it failed, was refused or skipped. */
  readonly reason: string | null;
  /** The run's own advice. */
  readonly next: string | null;
}

/** Whether the pilot light is back as deployed, and what is not. */
export interface PilotLightCheck {
  readonly restored: boolean;
  readonly problems: readonly string[];
}

/** A retired database the lifecycle left (kept for reconciliation). */
export interface RetiredInstance {
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  readonly instanceClass: string | null;
  readonly deletionProtection: boolean;
  /** What it keeps costing a month at list prices (instance and storage), when a price is known. */
  readonly monthlyUsd: number | null;
}

/** A lifecycle drill's result (`dr drill --operation lifecycle --json`). */
export interface LifecycleReport {
  readonly operation: 'lifecycle';
  readonly seed: number;
  readonly scenario: Scenario;
  readonly sequence: readonly LifecycleOperation[];
  /** `completed` when every operation of the sequence completed (or rightly did not start), and the invariants hold. */
  readonly outcome: 'completed' | 'failed';
  readonly operations: readonly LifecycleStep[];
  readonly invariants: Invariants;
  readonly returnExposureSeconds: number;
  /** After the last operation: the DR replica replicating with its fence lifted, DR capacity 0, the endpoints weighted as deployed. */
  readonly pilotLightRestored: boolean;
  readonly pilotLight: PilotLightCheck;
  readonly retiredInstances: readonly RetiredInstance[];
  readonly durationSeconds: number;
  readonly controller: { readonly invocations: number; readonly crashes: number; readonly stateWrites: number };
}

/** How long a lifecycle waits for the world to settle after an operation, at most. */
const SETTLE_MS = 6 * 3_600_000;
/** How long the detector is given to notice the scenario's fault, at most. */
const WATCH_MS = 2 * 3_600_000;

/**
 * Checks the pilot light against the config, on the world as it is at `t` (not as the engine
 * believes it is). Pure reads.
 */
export function checkPilotLight(world: SimWorld, config: DrConfig, active: 'primary' | 'secondary', t: number): PilotLightCheck {
  const problems: string[] = [];
  if (active !== 'primary') problems.push(`traffic is on the ${active} region`);
  const { primary, secondary } = config;
  const { rds } = world;
  const home = world.findDb(primary.region, primary.dbInstanceIdentifier, t);
  const replica = world.findDb(secondary.region, secondary.dbInstanceIdentifier, t);
  if (!home || !world.writableAt(home, t)) problems.push(`${primary.dbInstanceIdentifier} in ${primary.region} does not take writes`);
  if (!replica) problems.push(`no ${secondary.dbInstanceIdentifier} in ${secondary.region}`);
  else {
    if (rds.roleAt(replica, t) !== 'replica' || rds.source(replica) !== home)
      problems.push(`${secondary.dbInstanceIdentifier} is not a replica of ${primary.dbInstanceIdentifier}`);
    if (rds.replicatingAt(replica, t) !== true) problems.push(`${secondary.dbInstanceIdentifier} does not replicate`);
    const params = rds.parametersAt(replica, t);
    if (params.group !== secondary.dbParameterGroupName)
      problems.push(`${secondary.dbInstanceIdentifier} uses ${params.group}, not ${secondary.dbParameterGroupName}`);
    if (params.setting !== 'default' || params.applyStatus !== 'in-sync')
      problems.push(`the fence of ${secondary.dbParameterGroupName} is not lifted (read_only ${params.setting}, ${params.applyStatus})`);
    const s = secondary.dbSettings;
    if (s?.backupRetentionDays !== undefined && rds.backupRetentionAt(replica, t) !== s.backupRetentionDays)
      problems.push(
        `${secondary.dbInstanceIdentifier} keeps ${rds.backupRetentionAt(replica, t)} days of backups, not ${s.backupRetentionDays}`,
      );
    for (const key of ['instanceClass', 'deletionProtection', 'iamAuthentication', 'multiAz', 'storageType'] as const) {
      if (s?.[key] !== undefined && replica.settings[key] !== s[key])
        problems.push(`${secondary.dbInstanceIdentifier} has ${key} ${String(replica.settings[key])}, not ${String(s[key])}`);
    }
  }
  if (home) {
    const params = rds.parametersAt(home, t);
    if (params.group !== primary.dbParameterGroupName || params.setting !== 'default')
      problems.push(`${primary.dbInstanceIdentifier} is not on ${primary.dbParameterGroupName} at {TrueIfReplica}`);
  }
  const asg = world.asgs.get(secondary.region);
  if (asg && (asg.desired !== 0 || asg.min !== 0))
    problems.push(`${secondary.autoScalingGroupName} is at desired ${asg.desired}, min ${asg.min}`);
  if (world.weightAt(primary.region, t) !== 128 || world.dialAt(primary.region, t) !== 100)
    problems.push(`${primary.region} is at weight ${world.weightAt(primary.region, t)}, dial ${world.dialAt(primary.region, t)}%`);
  if (world.weightAt(secondary.region, t) !== 0 || world.dialAt(secondary.region, t) !== 0)
    problems.push(`${secondary.region} is at weight ${world.weightAt(secondary.region, t)}, dial ${world.dialAt(secondary.region, t)}%`);
  return { restored: problems.length === 0, problems };
}

function step(
  session: DrillSession,
  operation: Operation,
  run: RunState | undefined,
  startAt: number,
  scenario: Scenario | null,
  impairedAt: number | undefined,
  skipped?: string,
): LifecycleStep {
  const end = session.clock.now();
  const base = { operation, scenario, startSeconds: session.seconds(startAt), endSeconds: session.seconds(end) };
  if (skipped)
    return {
      ...base,
      trigger: null,
      outcome: 'skipped',
      runId: null,
      detectSeconds: null,
      rtoSeconds: null,
      rpoSeconds: null,
      durationSeconds: null,
      promotions: 0,
      reason: skipped,
      next: null,
    };
  if (!run)
    return {
      ...base,
      trigger: null,
      outcome: 'not-triggered',
      runId: null,
      detectSeconds: null,
      rtoSeconds: null,
      rpoSeconds: null,
      durationSeconds: null,
      promotions: 0,
      reason: 'no run started',
      next: null,
    };
  const m = measureRun(run, { impairedAt: run.trigger === 'detector' ? impairedAt : undefined });
  const outcome = drillOutcome(run);
  const span = session.spans.get(run.runId);
  const promotions = span ? promotionsIn(session.world, span, end) : 0;
  const summary = summarizeRun(run);
  return {
    ...base,
    trigger: run.trigger,
    outcome,
    runId: run.runId,
    // Only where the drill injected the impairment (measureRun would fall back on the detector's estimate).
    detectSeconds: impairedAt !== undefined ? m.detectSeconds : null,
    rtoSeconds: m.rtoSeconds,
    rpoSeconds: m.rpoSeconds,
    durationSeconds: m.durationSeconds,
    promotions,
    reason: outcome === 'completed' ? null : (run.failure?.message ?? run.timeline.findLast((e) => e.kind === 'refused')?.message ?? null),
    next: summary.next,
  };
}

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
  const about = scenarioOperation(scenario);
  const steps: LifecycleStep[] = [];
  let applied = false;
  let observedUntil = session.t0;

  const detectorRun = async (startAt: number, untilAt: number): Promise<RunState | undefined> => {
    let run: RunState | undefined;
    await session.waitFor(async () => {
      run = (await session.record())?.run;
      const ours = run !== undefined && run.triggeredAt >= startAt;
      return ours && isTerminal(run!.phase) && !(run!.phase === 'failed' && run!.committedAt !== undefined);
    }, untilAt);
    run = (await session.record())?.run;
    return run !== undefined && run.triggeredAt >= startAt ? run : undefined;
  };

  await clock.run(
    async () => {
      session.startController(crashAfterMs === undefined ? undefined : { afterMs: crashAfterMs });
      await clock.sleep(60_000);
      for (const operation of sequence) {
        const startAt = clock.now();
        const active = (await session.record())?.active ?? 'primary';
        const needs = operation === 'failback' ? 'secondary' : 'primary';
        if (active !== needs) {
          steps.push(
            step(session, operation, undefined, startAt, null, undefined, `traffic is on the ${active} region: nothing to ${operation}`),
          );
          continue;
        }
        const here = !applied && scenario !== 'none' && about === operation;
        applied ||= here;
        const from = config[active].region;
        const to = config[otherRole(active)].region;
        let run: RunState | undefined;
        let impairedAt: number | undefined;
        if (here && operation === 'failover') {
          impairedAt = startAt + 60_000 + Math.floor(session.rng.at(`fault:${startAt}`) * 120_000);
          const outageMs = 20 * 60_000 + Math.floor(session.rng.at(`outage:${startAt}`) * 20 * 60_000);
          const effects = scenarioEffects(scenario, from, to, impairedAt, outageMs);
          session.applyScenario(effects);
          run = await detectorRun(startAt, impairedAt + WATCH_MS);
          // The scenario's fault was about this operation; the world goes back to normal.
          session.endScenario(effects);
        } else {
          if (here) session.applyScenario(scenarioEffects(scenario, from, to, startAt));
          run = await session.operate(operation);
        }
        await session.settle(clock.now() + SETTLE_MS);
        steps.push(step(session, operation, run, startAt, here ? scenario : null, impairedAt));
        if (run && summarizeRun(run).next.startsWith('dr rebuild')) {
          const rebuildAt = clock.now();
          const rebuilt = await session.operate('rebuild');
          await session.settle(clock.now() + SETTLE_MS);
          steps.push(step(session, 'rebuild', rebuilt, rebuildAt, null, undefined));
        }
      }
      await clock.sleep(10 * 60_000);
      observedUntil = clock.now();
      session.stopController();
    },
    7 * 24 * 3_600_000,
  );

  const audit = session.audit(observedUntil);
  const record = await session.record();
  const pilotLight = checkPilotLight(world, config, record?.active ?? 'primary', observedUntil);
  const retiredInstances = world.rds.dbs
    .filter((d) => (world.rds.idAt(d, observedUntil) ?? '').includes('-retired-'))
    .map((d) => ({
      region: d.region,
      dbInstanceIdentifier: world.rds.idAt(d, observedUntil)!,
      instanceClass: d.settings.instanceClass ?? null,
      deletionProtection: d.settings.deletionProtection ?? false,
      monthlyUsd:
        estimateMonthlyCost({
          region: d.region,
          instanceClass: d.settings.instanceClass,
          allocatedStorageGiB: d.settings.allocatedStorageGiB,
          multiAz: d.settings.multiAz,
        })?.usd ?? null,
    }));
  const inv = audit.invariants;
  const held = brokenInvariants(inv).length === 0;
  // The scenario's own operation may rightly end without moving traffic (rolled back, refused, not
  // triggered); every other one must complete, or be skipped because of it.
  const allDone = steps.every(
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
    operations: steps,
    invariants: inv,
    returnExposureSeconds: audit.returnExposureSeconds,
    pilotLightRestored: pilotLight.restored,
    pilotLight,
    retiredInstances,
    durationSeconds: session.seconds(observedUntil),
    controller: { invocations: session.invocations, crashes: session.crashes, stateWrites: session.store.writes },
  };
}
