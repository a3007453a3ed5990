import type { BlockAction } from '../plan/types.js';
import type { DbStatus, ReadOnlySetting } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import type { Observation, Prior } from './types.js';
import { assessGlobal } from './assess-global.js';

/** How far a block's goal is, judged from one observation. */
export type Assessment =
  | { readonly progress: 'done'; readonly detail: string }
  | { readonly progress: 'in-progress'; readonly detail: string }
  | { readonly progress: 'not-started'; readonly detail: string }
  | { readonly progress: 'impossible'; readonly detail: string };

const done = (detail: string): Assessment => ({ progress: 'done', detail });
const going = (detail: string): Assessment => ({ progress: 'in-progress', detail });
const notStarted = (detail: string): Assessment => ({ progress: 'not-started', detail });
const impossible = (detail: string): Assessment => ({ progress: 'impossible', detail });

function mismatch(action: BlockAction, observation: Observation): never {
  throw new Error(`observation ${observation.kind} does not fit block ${action.kind}`);
}

/** What judging a block needs besides the observation. */
export interface AssessContext {
  /** When the block began: a measurement older than that does not count. */
  readonly since?: number | undefined;
  /** When the observation was made. */
  readonly now?: number | undefined;
  /** Whether the block has made its call (it may be in effect). */
  readonly acted?: boolean | undefined;
  /** When the run's impairment began, as the detector estimated it. */
  readonly impairedAt?: number | undefined;
}

/** True when `read_only` is `setting` and applied: RDS reports the group `in-sync` (a status naming no group counts as applied). */
const readOnlyApplied = (s: DbStatus, setting: ReadOnlySetting): boolean =>
  s.readOnly === setting && (s.parameterGroup?.applyStatus ?? 'in-sync') === 'in-sync';

/**
 * Whether a database's writes are fenced: `read_only` 1, applied. The one rule the machine and
 * the controller's containment decide by; the adapters' `DbStatus.writeFenced` follows it.
 */
export const isWriteFenced = (s: DbStatus): boolean => readOnlyApplied(s, 'on');

// The default is RDS MySQL's {TrueIfReplica} on the RDS tier and the engine's own on an Aurora cluster: "default" is true of both.
const fenceWord = (setting: ReadOnlySetting | undefined): string =>
  setting === 'on' ? 'read_only 1' : setting === 'off' ? 'read_only 0' : 'read_only default';

/**
 * Judges a block's progress from what a port showed. Pure. Mutating blocks report `not-started`
 * when the change is not visible; the state machine decides whether that means "act" or "the
 * call is still settling". A parameter change counts only once RDS reports it `in-sync`.
 */
export function assess(action: BlockAction, observation: Observation, context: AssessContext = {}): Assessment {
  // Grouped by what the block looks at: each family checks once that the observation fits.
  switch (action.kind) {
    case 'set-traffic-dial':
    case 'set-endpoint-weight':
    case 'await-drain':
    case 'verify-serving':
      return assessTraffic(action, observation, context);
    case 'set-write-fence':
    case 'promote-replica':
    case 'create-replica':
    case 'reboot-instance':
    case 'set-backup-retention':
    case 'await-writable':
    case 'await-replica-sync':
      return observation.kind === 'database' ? assessDatabase(action, observation.status, context) : mismatch(action, observation);
    case 'set-capacity':
    case 'await-healthy':
      return observation.kind === 'capacity' ? assessCapacity(action, observation.status) : mismatch(action, observation);
    case 'retire-instance':
      return observation.kind === 'rename' ? assessRename(action, observation, context) : mismatch(action, observation);
    case 'await-impairment':
      return observation.kind === 'signals' ? assessImpairment(action, observation, context) : mismatch(action, observation);
    case 'failover-global-cluster':
    case 'switchover-global-cluster':
    case 'await-rejoined':
    case 'keep-failover-snapshot':
      return assessGlobal(action, observation);
    default:
      return assertNever(action, 'block action');
  }
}

type ActionOf<K extends BlockAction['kind']> = Extract<BlockAction, { readonly kind: K }>;
type ObservationOf<K extends Observation['kind']> = Extract<Observation, { readonly kind: K }>;

/** Blocks that steer or watch traffic through the accelerator's endpoint groups (and the probe). */
function assessTraffic(
  action: ActionOf<'set-traffic-dial' | 'set-endpoint-weight' | 'await-drain' | 'verify-serving'>,
  observation: Observation,
  context: AssessContext,
): Assessment {
  switch (action.kind) {
    case 'set-traffic-dial': {
      if (observation.kind !== 'endpoint-group') return mismatch(action, observation);
      const dial = observation.status.trafficDialPercent;
      return dial === action.percent ? done(`dial at ${dial}%`) : notStarted(`dial at ${dial}%, want ${action.percent}%`);
    }
    case 'set-endpoint-weight': {
      if (observation.kind !== 'endpoint-group') return mismatch(action, observation);
      const weight = observation.status.endpointWeight;
      return weight === action.weight ? done(`weight ${weight}`) : notStarted(`weight ${weight}, want ${action.weight}`);
    }
    case 'await-drain': {
      if (observation.kind !== 'endpoint-group') return mismatch(action, observation);
      const g = observation.status;
      if (g.endpointWeight > 0 && g.trafficDialPercent > 0)
        return impossible(`${action.group.region} takes new connections again (weight ${g.endpointWeight}, dial ${g.trafficDialPercent}%)`);
      const waited = context.now !== undefined && context.since !== undefined ? (context.now - context.since) / 1000 : 0;
      return waited >= action.seconds
        ? done(`no new connections for ${Math.round(waited)} s`)
        : going(`${Math.round(waited)}/${action.seconds} s`);
    }
    case 'verify-serving': {
      if (observation.kind !== 'serving') return mismatch(action, observation);
      const { group, probe } = observation;
      if (group.healthy && probe.ok) return done(`healthy, probe ${probe.status ?? 'ok'}`);
      return going(
        `accelerator ${group.healthy ? 'healthy' : 'not yet healthy'}, probe ${probe.ok ? 'ok' : (probe.error ?? probe.status ?? 'failed')}`,
      );
    }
    default:
      return assertNever(action, 'traffic block');
  }
}

/** Blocks that change or wait on one RDS instance, judged from its status. */
function assessDatabase(
  action: ActionOf<
    | 'set-write-fence'
    | 'promote-replica'
    | 'create-replica'
    | 'reboot-instance'
    | 'set-backup-retention'
    | 'await-writable'
    | 'await-replica-sync'
  >,
  s: DbStatus,
  context: AssessContext,
): Assessment {
  const id = action.db.dbInstanceIdentifier;
  switch (action.kind) {
    case 'set-write-fence': {
      if (!s.exists)
        return action.ifExists ? done(`${id} is not there: nothing to fence`) : impossible(`${id} not found in ${action.db.region}`);
      const want: ReadOnlySetting = action.fenced ? 'on' : 'default';
      const applying = s.parameterGroup?.applyStatus ?? 'in-sync';
      if (readOnlyApplied(s, want))
        return done(action.fenced ? `read-only (${fenceWord(want)}, in-sync)` : `fence lifted (${fenceWord(want)}, in-sync)`);
      if (s.readOnly === want) return going(`${fenceWord(want)} set, ${applying}`);
      return notStarted(`${fenceWord(s.readOnly)}, want ${fenceWord(want)}`);
    }
    case 'promote-replica': {
      if (!s.exists) return impossible(`replica ${id} not found in ${action.db.region}`);
      if (s.role === 'primary') return s.status === 'available' ? done('promoted, available') : going(`promoted, ${s.status}`);
      if (s.status === 'available') return notStarted('replica, available');
      if (['modifying', 'rebooting', 'backing-up', 'configuring-log-exports', 'upgrading'].includes(s.status))
        return going(`replica, ${s.status}`);
      return impossible(`replica is ${s.status} and cannot be promoted`);
    }
    case 'create-replica': {
      if (!s.exists) return notStarted(`${id} does not exist yet`);
      if (s.role !== 'replica') return impossible(`${id} exists in ${action.db.region} and is not a replica`);
      return s.status === 'available' ? done('replica available') : going(`replica ${s.status}`);
    }
    case 'reboot-instance':
      return assessReboot(action, s);
    case 'set-backup-retention': {
      if (!s.exists) return impossible(`${id} not found in ${action.db.region}`);
      if (s.backupRetentionDays === action.days) return done(`${action.days} days of backups`);
      return s.status === 'available' ? notStarted(`backups ${s.backupRetentionDays ?? 0} days`) : going(`${s.status}`);
    }
    case 'await-writable': {
      if (!s.exists) return impossible(`${id} not found in ${action.db.region}`);
      return s.writable ? done('accepts writes') : going(`${s.role}, ${s.status}${isWriteFenced(s) ? ', read-only' : ''}`);
    }
    case 'await-replica-sync':
      return assessReplicaSync(action, s, context);
    default:
      return assertNever(action, 'database block');
  }
}

/** A reboot is done once the instance runs with the wanted parameter group in sync. */
function assessReboot(action: ActionOf<'reboot-instance'>, s: DbStatus): Assessment {
  if (!s.exists) return done(`${action.db.dbInstanceIdentifier} is not there: nothing to reboot`);
  const group = s.parameterGroup;
  if (group?.name === action.parameterGroupName && group.applyStatus === 'in-sync' && s.status === 'available')
    return done(`${action.parameterGroupName} in effect`);
  if (s.status !== 'available') return going(`${s.status}`);
  if (group?.applyStatus === 'pending-reboot') return notStarted(`${group.name} pending reboot`);
  if (group?.name !== action.parameterGroupName)
    return impossible(`${action.db.dbInstanceIdentifier} uses ${group?.name ?? 'no parameter group'}, not ${action.parameterGroupName}`);
  return going(`${group.name} ${group.applyStatus}`);
}

/** A replica is in sync once its lag, measured since the wait began, is within the bound. */
function assessReplicaSync(action: ActionOf<'await-replica-sync'>, s: DbStatus, context: AssessContext): Assessment {
  if (!s.exists) return impossible(`${action.db.dbInstanceIdentifier} not found in ${action.db.region}`);
  if (s.role !== 'replica') return impossible(`${action.db.dbInstanceIdentifier} is not a replica`);
  const lag = s.replicaLagSeconds;
  if (s.replicating === false) return going('replication is not running');
  if (lag === undefined) return going('lag unknown');
  // A lag measured before this wait began (before the fence took hold) proves nothing.
  if (s.replicaLagAt !== undefined && context.since !== undefined && s.replicaLagAt < context.since)
    return going(`lag ${lag}s, measured before the fence`);
  return lag <= action.maxLagSeconds ? done(`lag ${lag}s`) : going(`lag ${lag}s`);
}

/** Blocks that size or wait on an Auto Scaling group. */
function assessCapacity(action: ActionOf<'set-capacity' | 'await-healthy'>, s: ObservationOf<'capacity'>['status']): Assessment {
  if (action.kind === 'set-capacity') {
    const want = action.capacity;
    return s.min === want.min && s.desired === want.desired && s.max === want.max
      ? done(`desired ${s.desired}, ${s.inService} in service`)
      : notStarted(`min ${s.min} / desired ${s.desired} / max ${s.max}`);
  }
  return s.healthyTargets >= action.count
    ? done(`${s.healthyTargets} healthy`)
    : going(`${s.healthyTargets}/${action.count} healthy, ${s.inService} in service`);
}

/** Retiring an instance renames it out of the way; the two names are looked up one after the other. */
function assessRename(action: ActionOf<'retire-instance'>, observation: ObservationOf<'rename'>, context: AssessContext): Assessment {
  const { current, renamed } = observation;
  if (renamed.exists && !current.exists) return done(`renamed to ${action.newIdentifier}`);
  if (renamed.exists || current.status === 'renaming') return going('rename in progress');
  if (current.exists) return notStarted(`${action.db.dbInstanceIdentifier} still has its name`);
  // Neither name answered: before our call there is nothing to retire; after it, the two
  // looks straddled the moment the new name took effect, so look again.
  return context.acted ? going('neither name answers yet') : done('nothing to retire');
}

/** The detector's confirmation: the primary still fails, for long enough since the impairment began. */
function assessImpairment(action: ActionOf<'await-impairment'>, observation: ObservationOf<'signals'>, context: AssessContext): Assessment {
  const seen = observation.readings;
  if (observation.seesHealthy) return impossible(`the primary recovered before the point of no return (${seen})`);
  const lasted = context.impairedAt === undefined ? Number.POSITIVE_INFINITY : observation.at - context.impairedAt;
  if (lasted < action.confirmSeconds * 1000)
    return going(`impaired for ${Math.round(lasted / 1000)} of ${action.confirmSeconds} s (${seen})`);
  return observation.fails
    ? done(`still impaired after ${Number.isFinite(lasted) ? Math.round(lasted / 1000) : action.confirmSeconds} s (${seen})`)
    : going(`cannot confirm yet (${seen})`);
}

/** What a reversible block saw before acting: the value a rollback sets back. Undefined for others. */
export function priorOf(action: BlockAction, observation: Observation): Prior | undefined {
  switch (action.kind) {
    case 'set-endpoint-weight':
      return observation.kind === 'endpoint-group' ? { kind: 'weight', weight: observation.status.endpointWeight } : undefined;
    case 'set-traffic-dial':
      return observation.kind === 'endpoint-group' ? { kind: 'dial', percent: observation.status.trafficDialPercent } : undefined;
    case 'set-capacity': {
      if (observation.kind !== 'capacity') return undefined;
      const { min, desired, max } = observation.status;
      return { kind: 'capacity', capacity: { min, desired, max } };
    }
    case 'set-write-fence':
      return observation.kind === 'database' && observation.status.exists
        ? { kind: 'read-only', setting: observation.status.readOnly ?? 'default' }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The action that sets back what `action` changed, given what was there before; undefined when
 * the block has no such inverse. A fence is set back to on, or to the replica-aware default.
 */
export function inverseOf(action: BlockAction, prior: Prior): BlockAction | undefined {
  switch (action.kind) {
    case 'set-endpoint-weight':
      return prior.kind === 'weight' ? { kind: 'set-endpoint-weight', group: action.group, weight: prior.weight } : undefined;
    case 'set-traffic-dial':
      return prior.kind === 'dial' ? { kind: 'set-traffic-dial', group: action.group, percent: prior.percent } : undefined;
    case 'set-capacity':
      return prior.kind === 'capacity' ? { kind: 'set-capacity', asg: action.asg, capacity: prior.capacity } : undefined;
    case 'set-write-fence':
      return prior.kind === 'read-only' ? { kind: 'set-write-fence', db: action.db, fenced: prior.setting === 'on' } : undefined;
    default:
      return undefined;
  }
}
