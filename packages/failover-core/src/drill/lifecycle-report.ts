/**
 * What a lifecycle drill reports: each operation's step with its measures, the pilot light as
 * found on the world at the end, and the retired databases left behind with what they cost.
 */
import type { DrConfig } from '../config/schema.js';
import { estimateMonthlyCost } from '../cost/rds-prices.js';
import { measureRun } from '../machine/measures.js';
import { summarizeRun } from '../machine/summary.js';
import type { RunState } from '../machine/types.js';
import type { Operation } from '../plan/types.js';
import type { SimWorld } from '../sim/world.js';
import { type Invariants, promotionsIn, type Span } from './audit.js';
import { auroraPilotLightProblems, lostWritesNotKept } from './aurora-checks.js';
import type { LifecycleOperation } from './lifecycle.js';
import { type DrillOutcome, drillOutcome } from './report.js';
import type { Scenario } from './scenarios.js';
import type { DrillSession } from './session.js';

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

/**
 * Checks the pilot light against the config, on the world as it is at `t` (not as the engine
 * believes it is). Pure reads.
 */
export function checkPilotLight(
  world: SimWorld,
  config: DrConfig,
  active: 'primary' | 'secondary',
  t: number,
  spans: readonly (Span & { readonly operation?: string })[] = [],
): PilotLightCheck {
  const problems: string[] = [];
  if (active !== 'primary') problems.push(`traffic is on the ${active} region`);
  if (world.aurora) problems.push(...auroraPilotLightProblems(world, world.aurora, config, t), ...lostWritesNotKept(world, spans, t));
  else problems.push(...rdsPilotLightProblems(world, config, t));
  const { primary, secondary } = config;
  const asg = world.asgs.get(secondary.region);
  if (asg && (asg.desired !== 0 || asg.min !== 0))
    problems.push(`${secondary.autoScalingGroupName} is at desired ${asg.desired}, min ${asg.min}`);
  if (world.weightAt(primary.region, t) !== 128 || world.dialAt(primary.region, t) !== 100)
    problems.push(`${primary.region} is at weight ${world.weightAt(primary.region, t)}, dial ${world.dialAt(primary.region, t)}%`);
  if (world.weightAt(secondary.region, t) !== 0 || world.dialAt(secondary.region, t) !== 0)
    problems.push(`${secondary.region} is at weight ${world.weightAt(secondary.region, t)}, dial ${world.dialAt(secondary.region, t)}%`);
  return { restored: problems.length === 0, problems };
}

/** What is wrong with the RDS tier's databases of the pilot light at `t`: the home primary and its replica as deployed. */
function rdsPilotLightProblems(world: SimWorld, config: DrConfig, t: number): string[] {
  const problems: string[] = [];
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
  return problems;
}

/** The report of one operation of a lifecycle: its measures when a run came of it, or why none did. */
export function stepReport(
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
  // An operation that started no run has no measures, only the reason.
  const noRun = (outcome: 'skipped' | 'not-triggered', reason: string): LifecycleStep => ({
    ...base,
    trigger: null,
    outcome,
    runId: null,
    detectSeconds: null,
    rtoSeconds: null,
    rpoSeconds: null,
    durationSeconds: null,
    promotions: 0,
    reason,
    next: null,
  });
  if (skipped) return noRun('skipped', skipped);
  if (!run) return noRun('not-triggered', 'no run started');
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

/** The retired databases on the world at `t` (kept for reconciliation), with what each keeps costing. */
export function retiredInstancesAt(world: SimWorld, t: number): RetiredInstance[] {
  return world.rds.dbs
    .filter((d) => (world.rds.idAt(d, t) ?? '').includes('-retired-'))
    .map((d) => ({
      region: d.region,
      dbInstanceIdentifier: world.rds.idAt(d, t)!,
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
}
