/**
 * Builds the plan of an operation from the DR config: the steps each operation takes, in order.
 * The blocks the steps are made of are in `blocks.ts`; the step sequences several operations
 * share (a handover, retiring a database, rebuilding the pilot light) in `shared-steps.ts`; the
 * port references and the retired names in `refs.ts`.
 */
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import { assertNever } from '../util/assert-never.js';
import type { Operation, Plan, PlanStep } from './types.js';
import { dbRef, defaultFrom, otherRole } from './refs.js';

export { ACTIVE_ENDPOINT_WEIGHT, asgRef, dbRef, defaultFrom, groupRef, otherRole, retiredIdentifier, retiredPrefix } from './refs.js';
import {
  block,
  KEEP_AFTER_COMMIT,
  awaitWritable,
  awaitHealthy,
  shiftTraffic,
  verify,
  containCapacity,
  scaleUp,
  liftFence,
  fenceTraffic,
  containWrites,
  createReplica,
  backups,
} from './blocks.js';
import { handover, retireSteps, pilotLightSteps } from './shared-steps.js';
import { auroraFailbackSteps, auroraRebuildSteps, auroraSwitchoverSteps, auroraTier, failoverGlobal } from './aurora-steps.js';

/** Options for {@link buildPlan}. */
export interface PlanOptions {
  /** The region serving traffic now. @default 'primary' for failover and switchover, 'secondary' for failback */
  readonly from?: RegionRole;
  /** Used to name retired database instances uniquely; letters and digits. @default 'run' */
  readonly runTag?: string;
  /**
   * A detector's failover: take only reversible steps first (scale, pre-checks), and commit only
   * once the impairment has lasted `detection.confirmSeconds` and a fresh look still finds it
   * (the package README, "Detection"). An operator's failover does not wait. @default false
   */
  readonly confirmImpairment?: boolean;
}

/** The `dbSettings` fields a database is recreated from; RDS would otherwise give a new replica its own defaults. */
const RECREATE_SETTINGS = [
  'instanceClass',
  'backupRetentionDays',
  'deletionProtection',
  'iamAuthentication',
  'cloudwatchLogsExports',
] as const;

/**
 * What the config lacks for `operation`, each missing field by path. A failback recreates the
 * database of both regions and a rebuild that of the DR region, each as the constructs deployed
 * it, and retires the one it replaces into the region's retired parameter group.
 */
export function operationConfigIssues(config: DrConfig, operation: Operation, from: RegionRole = defaultFrom(operation)): ConfigIssue[] {
  // An Aurora global database recreates nothing: AWS re-adds a recovered old primary itself.
  if (auroraTier(config)) return [];
  const recreated: RegionRole[] = operation === 'failback' ? ['primary', 'secondary'] : operation === 'rebuild' ? [otherRole(from)] : [];
  const issues: ConfigIssue[] = [];
  const why = `is required for a ${operation}, which recreates this region's database as deployed`;
  for (const role of recreated) {
    const r = config[role];
    if (!r.retiredDbParameterGroupName)
      issues.push({
        path: `${role}.retiredDbParameterGroupName`,
        message: `is required for a ${operation}: the database it replaces is retired into that group (read_only 1)`,
      });
    if (!r.dbSubnetGroupName) issues.push({ path: `${role}.dbSubnetGroupName`, message: why });
    if (!r.dbSecurityGroupIds?.length) issues.push({ path: `${role}.dbSecurityGroupIds`, message: why });
    for (const field of RECREATE_SETTINGS) {
      if (r.dbSettings?.[field] === undefined) issues.push({ path: `${role}.dbSettings.${field}`, message: why });
    }
    if ((r.dbSettings?.storageEncrypted ?? true) && !r.dbKmsKeyArn)
      issues.push({ path: `${role}.dbKmsKeyArn`, message: `${why} (encrypted, with this region's key)` });
  }
  return issues;
}

/**
 * Builds the plan for an operation from the configuration (see DESIGN.md, "The engine"). Each
 * block says how a rollback treats it; one block is the point of no return.
 *
 * - `failover` (unplanned, `from` impaired): fence `from`'s traffic and scale `to` (both
 *   undone if the run fails before the promotion is accepted), then the point of no return:
 *   promote the replica and lift its write fence; wait until writable and healthy, shift
 *   traffic, verify; best effort, contain `from` (fence its database, capacity 0).
 * - `switchover` (planned, no data loss): scale `to`, drain `from`'s connections, fence writes
 *   on `from` and on `to`'s replica, wait for zero lag, promote; lifting `to`'s fence is the
 *   point of no return (until then `from` holds every write and takes the service back).
 * - `failback` (after a failover): fence and retire the stale database at home, replicate home
 *   from the serving database, switch over back, then rebuild the pilot light in the other region.
 * - `rebuild`: retire the database of the region that does not serve and replicate it anew.
 * @throws ConfigError naming every field the operation needs and the config lacks.
 */
export function buildPlan(config: DrConfig, operation: Operation, options: PlanOptions = {}): Plan {
  const from = options.from ?? defaultFrom(operation);
  const issues = operationConfigIssues(config, operation, from);
  if (issues.length > 0) throw new ConfigError(issues, 'the DR config');
  const to = operation === 'rebuild' ? from : otherRole(from);
  const runTag = options.runTag ?? 'run';
  const steps = stepsOf(config, operation, from, runTag, options.confirmImpairment === true);
  return { operation, from, to, fromRegion: config[from].region, toRegion: config[to].region, steps };
}

function stepsOf(config: DrConfig, operation: Operation, from: RegionRole, runTag: string, confirm: boolean): PlanStep[] {
  const src = config[from];
  const other = config[otherRole(from)];
  const aurora = auroraTier(config);
  if (aurora) {
    switch (operation) {
      case 'failover':
        return failoverSteps(config, src, other, confirm);
      case 'switchover':
        return auroraSwitchoverSteps(config, aurora, src, other);
      case 'failback':
        return auroraFailbackSteps(config, aurora, src, other, runTag);
      case 'rebuild':
        return auroraRebuildSteps(config, aurora, other, runTag);
      default:
        return assertNever(operation, 'operation');
    }
  }
  switch (operation) {
    case 'failover':
      return failoverSteps(config, src, other, confirm);
    case 'switchover':
      return [
        { id: 'scale', name: `Scale ${other.region}`, blocks: [scaleUp(config, other)] },
        { id: 'await-capacity', name: `Wait for healthy capacity in ${other.region}`, blocks: [awaitHealthy(config, other)] },
        ...handover(config, src, other),
        { id: 'contain', name: `Take ${src.region} to zero capacity`, blocks: [containCapacity(config, src)] },
      ];
    case 'failback':
      return failbackSteps(config, src, other, runTag);
    case 'rebuild':
      // `from` is the active region here: the other one is dark and gets its pilot light back.
      return pilotLightSteps(config, other, src, 'stale', runTag, true);
    default:
      return assertNever(operation, 'operation');
  }
}

/**
 * An unplanned failover from `src` (impaired) to `dst`. With `confirm` (a detector's run), the
 * harmless steps come first and the impairment is confirmed again before traffic is touched.
 */
function failoverSteps(config: DrConfig, src: RegionResources, dst: RegionResources, confirm: boolean): PlanStep[] {
  const t = config.timeouts;
  const aurora = auroraTier(config);
  const promote = aurora
    ? failoverGlobal(config, aurora, dst)
    : block(
        'promote-replica',
        `Promote ${dst.dbInstanceIdentifier} in ${dst.region}`,
        { kind: 'promote-replica', db: dbRef(dst), backupRetentionDays: dst.dbSettings?.backupRetentionDays },
        t.promotionSeconds,
        KEEP_AFTER_COMMIT,
        { commits: true },
      );
  const commit: PlanStep = {
    id: 'commit',
    name: `${aurora ? `Fail ${aurora.globalClusterIdentifier} over to ${dst.region}` : `Promote ${dst.dbInstanceIdentifier}`} (the point of no return), and fence ${src.region}'s writes once it is accepted`,
    blocks: [promote, containWrites(config, src)],
  };
  const after = [
    { id: 'await-ready', name: 'Wait until writable and healthy', blocks: [awaitWritable(config, dst), awaitHealthy(config, dst)] },
    shiftTraffic(config, dst),
    verify(config, dst),
    { id: 'contain', name: `Contain ${src.region}`, blocks: [containCapacity(config, src)] },
  ];
  if (!confirm) {
    return [
      {
        id: 'prepare',
        name: `Fence ${src.region}'s traffic, scale ${dst.region}, lift any fence left on ${dst.dbInstanceIdentifier}`,
        // A replica is read-only whatever read_only says, so lifting its fence now changes nothing
        // until the promotion, and keeps the commit step to the promotion alone.
        blocks: [...fenceTraffic(config, src), scaleUp(config, dst), liftFence('lift-fence', dst, t.actionSeconds, 'restore')],
      },
      commit,
      ...after,
    ];
  }
  const d = config.detection;
  return [
    {
      id: 'prepare',
      name: `Scale ${dst.region}, lift any fence left on ${dst.dbInstanceIdentifier}`,
      // Reversible and harmless to a primary that recovers: its traffic is not touched yet.
      blocks: [scaleUp(config, dst), liftFence('lift-fence', dst, t.actionSeconds, 'restore')],
    },
    {
      id: 'confirm',
      name: `Confirm ${src.region} is still impaired ${d.confirmSeconds} s after it began`,
      blocks: [
        block(
          'confirm-impairment',
          `Read the detector's signals until the impairment has lasted ${d.confirmSeconds} s; give up if ${src.region} recovers`,
          { kind: 'await-impairment', region: src.region, confirmSeconds: d.confirmSeconds, freshSeconds: 2 * d.intervalSeconds },
          d.confirmSeconds + t.actionSeconds,
          { keep: 'it only reads the signals' },
        ),
      ],
    },
    // Traffic is fenced before the promotion, never beside it: a promotion must not commit
    // while Global Accelerator still sends users to a primary that may be coming back.
    { id: 'fence-traffic', name: `Fence ${src.region}'s traffic`, blocks: fenceTraffic(config, src) },
    commit,
    ...after,
  ];
}

/** A failback from `src` (serving since a failover) to `home`: the stale database at home is retired and replicated anew first. */
function failbackSteps(config: DrConfig, src: RegionResources, home: RegionResources, runTag: string): PlanStep[] {
  const keepStale = { keep: 'the stale database stays fenced and retired: the next failback starts from there' };
  const [fenceStale, retireStale, rebootStale] = retireSteps(config, home, 'stale', runTag, keepStale);
  return [
    fenceStale!,
    retireStale!,
    {
      id: 'replicate-home',
      name: `Replicate ${src.dbInstanceIdentifier} to ${home.region} and scale ${home.region}`,
      blocks: [createReplica(config, home, src, 'create-home-replica'), scaleUp(config, home), ...rebootStale!.blocks],
    },
    {
      id: 'await-capacity',
      name: `Wait for healthy capacity in ${home.region} and backups of ${home.dbInstanceIdentifier}`,
      blocks: [awaitHealthy(config, home), backups(config, home, 'home-backups')],
    },
    ...handover(config, src, home),
    ...pilotLightSteps(config, src, home, 'promoted', runTag),
  ];
}
