import { ConfigError, type ConfigIssue } from '../errors.js';
import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import type { AsgRef, DbRef, EndpointGroupRef } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import type { Operation, Plan, PlanBlock, PlanStep, Undo } from './types.js';

/** Weight of an endpoint that takes traffic (Global Accelerator's default). */
export const ACTIVE_ENDPOINT_WEIGHT = 128;

/** The other side of the configuration. */
export const otherRole = (role: RegionRole): RegionRole => (role === 'primary' ? 'secondary' : 'primary');

/** The database of a region as a port reference. */
export const dbRef = (r: RegionResources, dbInstanceIdentifier = r.dbInstanceIdentifier): DbRef => ({
  region: r.region,
  dbInstanceIdentifier,
});
/** The Auto Scaling group of a region as a port reference. */
export const asgRef = (r: RegionResources): AsgRef => ({
  region: r.region,
  autoScalingGroupName: r.autoScalingGroupName,
  targetGroupArn: r.targetGroupArn,
});
/** The Global Accelerator endpoint group of a region as a port reference. */
export const groupRef = (r: RegionResources): EndpointGroupRef => ({
  region: r.region,
  endpointGroupArn: r.endpointGroupArn,
  loadBalancerArn: r.loadBalancerArn,
});

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

/** Which side serves before an operation, when the caller does not say. */
export const defaultFrom = (operation: Operation): RegionRole => (operation === 'failback' ? 'secondary' : 'primary');

/** The longest RDS DB instance identifier. */
const MAX_IDENTIFIER = 63;
/** What a retired name puts between the identifier and the run tag. */
const RETIRED_INFIX = '-retired-';
/** A retired name keeps the last this-many letters and digits of the run tag. */
const MAX_TAG = 12;

/**
 * The prefix every name a failback or rebuild retires `dbInstanceIdentifier` to starts with,
 * whatever the run's tag: what to list a region's retired instances of that database by. The
 * identifier is kept whole up to 42 characters, and cut there when longer, so that the longest
 * tag still fits RDS's 63 characters; a cut never leaves a hyphen before the infix (RDS allows no
 * two hyphens in a row).
 * @example retiredPrefix('lamp-primary') // 'lamp-primary-retired-'
 */
export function retiredPrefix(dbInstanceIdentifier: string): string {
  return `${dbInstanceIdentifier.slice(0, MAX_IDENTIFIER - MAX_TAG - RETIRED_INFIX.length).replace(/-+$/, '')}${RETIRED_INFIX}`;
}

/** The name a run tagged `runTag` retires `id` to: {@link retiredPrefix} and the tag's last 12 letters and digits. */
export function retiredIdentifier(id: string, runTag: string): string {
  const tag =
    runTag
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(-MAX_TAG) || 'run';
  return `${retiredPrefix(id)}${tag}`;
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

const KEEP_AFTER_COMMIT: Undo = { keep: 'past the point of no return' };

const block = (
  id: string,
  description: string,
  action: PlanBlock['action'],
  timeoutSeconds: number,
  undo: Undo,
  extra: Partial<Pick<PlanBlock, 'bestEffort' | 'commits' | 'afterCommit' | 'delaySeconds'>> = {},
): PlanBlock => ({
  id,
  description,
  action,
  timeoutSeconds,
  undo,
  ...extra,
});

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
  const t = config.timeouts;
  switch (operation) {
    case 'failover': {
      const src = config[from];
      const dst = config[otherRole(from)];
      const promote = block(
        'promote-replica',
        `Promote ${dst.dbInstanceIdentifier} in ${dst.region}`,
        { kind: 'promote-replica', db: dbRef(dst), backupRetentionDays: dst.dbSettings?.backupRetentionDays },
        t.promotionSeconds,
        KEEP_AFTER_COMMIT,
        { commits: true },
      );
      const after = [
        { id: 'await-ready', name: 'Wait until writable and healthy', blocks: [awaitWritable(config, dst), awaitHealthy(config, dst)] },
        shiftTraffic(config, dst),
        verify(config, dst),
        { id: 'contain', name: `Contain ${src.region}`, blocks: [containCapacity(config, src)] },
      ];
      if (confirm) {
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
          {
            id: 'commit',
            name: `Promote ${dst.dbInstanceIdentifier} (the point of no return), and fence ${src.region}'s writes once it is accepted`,
            blocks: [promote, containWrites(config, src)],
          },
          ...after,
        ];
      }
      return [
        {
          id: 'prepare',
          name: `Fence ${src.region}'s traffic, scale ${dst.region}, lift any fence left on ${dst.dbInstanceIdentifier}`,
          // A replica is read-only whatever read_only says, so lifting its fence now changes nothing
          // until the promotion, and keeps the commit step to the promotion alone.
          blocks: [...fenceTraffic(config, src), scaleUp(config, dst), liftFence('lift-fence', dst, t.actionSeconds, 'restore')],
        },
        {
          id: 'commit',
          name: `Promote ${dst.dbInstanceIdentifier} (the point of no return), and fence ${src.region}'s writes once it is accepted`,
          blocks: [promote, containWrites(config, src)],
        },
        ...after,
      ];
    }
    case 'switchover': {
      const src = config[from];
      const dst = config[otherRole(from)];
      return [
        { id: 'scale', name: `Scale ${dst.region}`, blocks: [scaleUp(config, dst)] },
        { id: 'await-capacity', name: `Wait for healthy capacity in ${dst.region}`, blocks: [awaitHealthy(config, dst)] },
        ...handover(config, src, dst),
        { id: 'contain', name: `Take ${src.region} to zero capacity`, blocks: [containCapacity(config, src)] },
      ];
    }
    case 'failback': {
      const src = config[from];
      const home = config[otherRole(from)];
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
    case 'rebuild': {
      const active = config[from];
      const dark = config[otherRole(from)];
      return pilotLightSteps(config, dark, active, 'stale', runTag, true);
    }
    default:
      return assertNever(operation, 'operation');
  }
}

function fenceTraffic(config: DrConfig, r: RegionResources): PlanBlock[] {
  const t = config.timeouts;
  return [
    block(
      'fence-weight',
      `Set ${r.region} endpoint weight to 0 so no traffic reaches it, failover included`,
      { kind: 'set-endpoint-weight', group: groupRef(r), weight: 0 },
      t.actionSeconds,
      'restore',
    ),
    block(
      'fence-dial',
      `Set ${r.region} traffic dial to 0%`,
      { kind: 'set-traffic-dial', group: groupRef(r), percent: 0 },
      t.actionSeconds,
      'restore',
    ),
  ];
}

const scaleUp = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'scale-compute',
    `Scale ${r.autoScalingGroupName} in ${r.region} to ${r.capacity.desired} (min ${r.capacity.min}, max ${r.capacity.max})`,
    { kind: 'set-capacity', asg: asgRef(r), capacity: r.capacity },
    config.timeouts.actionSeconds,
    'restore',
  );

const awaitHealthy = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'await-healthy',
    `Wait for ${r.capacity.desired} healthy targets in ${r.region}`,
    { kind: 'await-healthy', asg: asgRef(r), count: r.capacity.desired },
    config.timeouts.healthySeconds,
    KEEP_AFTER_COMMIT,
  );

const awaitWritable = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'await-writable',
    `Wait until ${r.dbInstanceIdentifier} accepts writes`,
    { kind: 'await-writable', db: dbRef(r) },
    config.timeouts.promotionSeconds,
    KEEP_AFTER_COMMIT,
  );

const liftFence = (
  id: string,
  r: RegionResources,
  timeoutSeconds: number,
  undo: Undo,
  extra: Partial<Pick<PlanBlock, 'commits'>> = {},
): PlanBlock =>
  block(
    id,
    `Lift the write fence of ${r.dbInstanceIdentifier}: reset read_only in ${r.dbParameterGroupName} to {TrueIfReplica}`,
    { kind: 'set-write-fence', db: dbRef(r), fenced: false },
    timeoutSeconds,
    undo,
    extra,
  );

/**
 * Best effort, after the point of no return: the old primary must not take writes beside the new
 * one. It waits the drain time first, so connections still on the old region finish against a
 * writable database; the new one is not writable for minutes yet (the promotion).
 */
const containWrites = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'contain-writes',
    `Fence writes on ${r.dbInstanceIdentifier} in ${r.region} when its region answers (read_only 1 in ${r.dbParameterGroupName}), ${config.timeouts.drainSeconds} s after its traffic stopped`,
    { kind: 'set-write-fence', db: dbRef(r), fenced: true, ifExists: true },
    config.timeouts.containmentSeconds,
    KEEP_AFTER_COMMIT,
    {
      bestEffort: true,
      afterCommit: true,
      delaySeconds: config.timeouts.drainSeconds,
    },
  );

const containCapacity = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'contain-capacity',
    `Scale ${r.autoScalingGroupName} in ${r.region} to 0 when its region answers`,
    { kind: 'set-capacity', asg: asgRef(r), capacity: { min: 0, desired: 0, max: r.capacity.max } },
    config.timeouts.containmentSeconds,
    KEEP_AFTER_COMMIT,
    { bestEffort: true },
  );

function shiftTraffic(config: DrConfig, r: RegionResources): PlanStep {
  const t = config.timeouts;
  return {
    id: 'shift-traffic',
    name: `Shift traffic to ${r.region}`,
    blocks: [
      block(
        'open-weight',
        `Set ${r.region} endpoint weight to ${ACTIVE_ENDPOINT_WEIGHT}`,
        { kind: 'set-endpoint-weight', group: groupRef(r), weight: ACTIVE_ENDPOINT_WEIGHT },
        t.actionSeconds,
        KEEP_AFTER_COMMIT,
      ),
      block(
        'open-dial',
        `Set ${r.region} traffic dial to 100%`,
        { kind: 'set-traffic-dial', group: groupRef(r), percent: 100 },
        t.actionSeconds,
        KEEP_AFTER_COMMIT,
      ),
    ],
  };
}

const verify = (config: DrConfig, r: RegionResources): PlanStep => ({
  id: 'verify',
  name: `Verify ${r.region} serves`,
  milestone: 'serving',
  blocks: [
    block(
      'verify-serving',
      `Global Accelerator reports ${r.region} healthy and ${r.healthCheckUrl} answers`,
      { kind: 'verify-serving', group: groupRef(r), url: r.healthCheckUrl },
      config.timeouts.healthySeconds,
      KEEP_AFTER_COMMIT,
    ),
  ],
});

/**
 * A planned handover from `src` to `dst`, with no data loss: stop new connections to `src`, let
 * established ones finish, fence its writes, wait until `dst` has applied every write, promote
 * `dst` while its own fence keeps it read-only, and only then lift that fence: the point of no
 * return. Until it, `src` holds every write, so a failure gives the service back to `src`.
 */
function handover(config: DrConfig, src: RegionResources, dst: RegionResources): PlanStep[] {
  const t = config.timeouts;
  return [
    { id: 'drain', name: `Drain ${src.region}`, milestone: 'outage-start', blocks: fenceTraffic(config, src) },
    {
      id: 'await-drain',
      name: `Let ${src.region}'s established connections finish (${t.drainSeconds} s)`,
      blocks: [
        block(
          'await-drain',
          `Wait ${t.drainSeconds} s after ${src.region} takes no new connections`,
          { kind: 'await-drain', group: groupRef(src), seconds: t.drainSeconds },
          t.drainSeconds + t.actionSeconds,
          'restore',
        ),
      ],
    },
    {
      id: 'fence-writes',
      name: `Fence writes on ${src.dbInstanceIdentifier}, and on ${dst.dbInstanceIdentifier} once promoted`,
      blocks: [
        block(
          'fence-writes',
          `Make ${src.dbInstanceIdentifier} read-only (read_only 1 in ${src.dbParameterGroupName})`,
          { kind: 'set-write-fence', db: dbRef(src), fenced: true },
          t.actionSeconds,
          'restore',
        ),
        block(
          'fence-target',
          `Keep ${dst.dbInstanceIdentifier} read-only after its promotion (read_only 1 in ${dst.dbParameterGroupName})`,
          { kind: 'set-write-fence', db: dbRef(dst), fenced: true },
          t.actionSeconds,
          {
            keep: 'a replica is read-only either way, and a promoted one must stay fenced',
          },
        ),
      ],
    },
    {
      id: 'sync',
      name: 'Wait for zero replica lag',
      blocks: [
        block(
          'await-sync',
          `Wait until ${dst.dbInstanceIdentifier} has applied every write`,
          { kind: 'await-replica-sync', db: dbRef(dst), maxLagSeconds: 0 },
          t.replicaSyncSeconds,
          'restore',
        ),
      ],
    },
    {
      id: 'promote',
      name: `Promote ${dst.dbInstanceIdentifier} (it stays read-only)`,
      blocks: [
        block(
          'promote-replica',
          `Promote ${dst.dbInstanceIdentifier} in ${dst.region}`,
          { kind: 'promote-replica', db: dbRef(dst), backupRetentionDays: dst.dbSettings?.backupRetentionDays },
          t.promotionSeconds,
          {
            keep: `a promotion cannot be undone: ${dst.dbInstanceIdentifier} stays fenced, and the pilot light is rebuilt with dr rebuild`,
          },
        ),
      ],
    },
    {
      id: 'commit',
      name: `Lift the fence of ${dst.dbInstanceIdentifier} (the point of no return)`,
      blocks: [liftFence('lift-fence', dst, t.actionSeconds, KEEP_AFTER_COMMIT, { commits: true })],
    },
    { id: 'await-writable', name: 'Wait until writable', blocks: [awaitWritable(config, dst)] },
    shiftTraffic(config, dst),
    verify(config, dst),
  ];
}

/** Fence, rename and move into the retired parameter group the database of `r` (stale, or promoted and left). */
function retireSteps(config: DrConfig, r: RegionResources, which: 'stale' | 'promoted', runTag: string, undo: Undo): PlanStep[] {
  const t = config.timeouts;
  const retired = retiredIdentifier(r.dbInstanceIdentifier, runTag);
  const group = r.retiredDbParameterGroupName ?? '';
  return [
    {
      id: `fence-${which}`,
      name: `Fence writes on the ${which} database in ${r.region}`,
      blocks: [
        block(
          `fence-${which}-db`,
          `Make ${r.dbInstanceIdentifier} in ${r.region} read-only, if it is there`,
          { kind: 'set-write-fence', db: dbRef(r), fenced: true, ifExists: true },
          t.actionSeconds,
          undo,
        ),
      ],
    },
    {
      id: `retire-${which}`,
      name: `Retire the ${which} database in ${r.region}`,
      blocks: [
        block(
          `retire-${which}-db`,
          `Rename ${r.dbInstanceIdentifier} in ${r.region} to ${retired} (kept for reconciliation) and move it to ${group}`,
          { kind: 'retire-instance', db: dbRef(r), newIdentifier: retired, instanceClass: r.dbSettings?.instanceClass },
          t.promotionSeconds,
          undo,
        ),
      ],
    },
    {
      id: `reboot-${which}`,
      name: `Reboot ${retired} into ${group}`,
      blocks: [
        block(
          `reboot-${which}-db`,
          `Reboot ${retired} so ${group} (read_only 1) takes effect`,
          { kind: 'reboot-instance', db: dbRef(r, retired), parameterGroupName: group },
          t.promotionSeconds,
          undo,
        ),
      ],
    },
  ];
}

const createReplica = (config: DrConfig, r: RegionResources, source: RegionResources, id: string): PlanBlock =>
  block(
    id,
    `Create replica ${r.dbInstanceIdentifier} in ${r.region} from ${source.dbInstanceIdentifier}, as deployed (${r.dbSettings?.instanceClass ?? 'the source class'}, ${r.dbParameterGroupName})`,
    { kind: 'create-replica', db: dbRef(r), source: dbRef(source) },
    config.timeouts.replicaCreateSeconds,
    {
      keep: 'a replica of the serving database is where the next attempt starts',
    },
  );

const backups = (config: DrConfig, r: RegionResources, id: string): PlanBlock =>
  block(
    id,
    `Keep ${r.dbSettings?.backupRetentionDays ?? 0} days of automated backups of ${r.dbInstanceIdentifier} (a new replica has none)`,
    { kind: 'set-backup-retention', db: dbRef(r), days: r.dbSettings?.backupRetentionDays ?? 1 },
    config.timeouts.promotionSeconds,
    { keep: 'backups are part of the database as deployed' },
  );

/**
 * Rebuild the pilot light in `dark` from `source`: retire the database there (the promoted one
 * a failback leaves, or a broken one), take its capacity to 0, replicate anew as deployed, turn
 * on backups, and lift the fence so the replica rests at `{TrueIfReplica}`.
 */
function pilotLightSteps(
  config: DrConfig,
  dark: RegionResources,
  source: RegionResources,
  which: 'stale' | 'promoted',
  runTag: string,
  standalone = false,
): PlanStep[] {
  const t = config.timeouts;
  const keep = { keep: 'the pilot light is rebuilt forward: the next attempt starts from here' };
  const [fence, retire, reboot] = retireSteps(config, dark, which, runTag, keep);
  return [
    ...(standalone && fence ? [fence] : []),
    {
      ...retire!,
      blocks: [
        ...retire!.blocks,
        block(
          'scale-down',
          `Scale ${dark.autoScalingGroupName} in ${dark.region} to 0 (max ${dark.capacity.max})`,
          { kind: 'set-capacity', asg: asgRef(dark), capacity: { min: 0, desired: 0, max: dark.capacity.max } },
          t.actionSeconds,
          keep,
        ),
      ],
    },
    // The retired instance leaves the region's group at its reboot; the fence is lifted only after.
    {
      id: 'restore-pilot-light',
      name: `Recreate the replica in ${dark.region}`,
      blocks: [createReplica(config, dark, source, 'create-dr-replica'), ...reboot!.blocks],
    },
    { id: 'configure-pilot-light', name: `Turn on backups of ${dark.dbInstanceIdentifier}`, blocks: [backups(config, dark, 'dr-backups')] },
    {
      id: 'lift-dr-fence',
      name: `Lift the write fence in ${dark.region}`,
      blocks: [liftFence('lift-dr-fence', dark, t.actionSeconds, keep)],
    },
  ];
}
