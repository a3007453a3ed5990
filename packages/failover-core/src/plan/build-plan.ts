import { ConfigError } from '../errors.js';
import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import type { AsgRef, DbRef, EndpointGroupRef } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import type { Operation, Plan, PlanBlock, PlanStep } from './types.js';

/** Weight of an endpoint that takes traffic (Global Accelerator's default). */
export const ACTIVE_ENDPOINT_WEIGHT = 128;

/** The other side of the configuration. */
export const otherRole = (role: RegionRole): RegionRole => (role === 'primary' ? 'secondary' : 'primary');

/** The database of a region as a port reference. */
export const dbRef = (r: RegionResources, dbInstanceIdentifier = r.dbInstanceIdentifier): DbRef => ({ region: r.region, dbInstanceIdentifier });
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
}

const block = (id: string, description: string, action: PlanBlock['action'], timeoutSeconds: number): PlanBlock => ({
  id,
  description,
  action,
  timeoutSeconds,
});

/** RDS identifiers are at most 63 characters and may not end with a hyphen. */
function retiredIdentifier(id: string, runTag: string): string {
  const tag = runTag.toLowerCase().replace(/[^a-z0-9]/g, '').slice(-12) || 'run';
  return `${id.slice(0, 63 - tag.length - 9)}-retired-${tag}`.replace(/-+$/, '');
}

/**
 * Builds the plan for an operation from the configuration.
 *
 * - `failover` (unplanned, `from` impaired): fence `from`'s traffic ‖ promote the replica ‖ scale
 *   `to`, wait until writable ‖ healthy, shift traffic, verify.
 * - `switchover` (planned, no data loss): scale `to` first, fence traffic and writes on `from`,
 *   wait for zero replica lag, promote, then as failover.
 * - `failback` (after a failover): retire the stale database in the home region, replicate home
 *   from the promoted database, switch over back, then recreate the pilot light.
 */
export function buildPlan(config: DrConfig, operation: Operation, options: PlanOptions = {}): Plan {
  const from = options.from ?? (operation === 'failback' ? 'secondary' : 'primary');
  const to = otherRole(from);
  const src = config[from];
  const dst = config[to];
  const t = config.timeouts;
  const runTag = options.runTag ?? 'run';
  // A planned handover fences writes through the source's parameter group: without one, the run
  // would stop at that step with its earlier steps done. Say so before anything starts.
  if (operation !== 'failover' && !src.dbParameterGroupName) {
    throw new ConfigError(
      [{ path: `${from}.dbParameterGroupName`, message: `is required for a ${operation}: writes on ${src.dbInstanceIdentifier} are fenced through its parameter group's read_only setting` }],
      'the DR config',
    );
  }

  const fenceTraffic: PlanBlock[] = [
    block('fence-weight', `Set ${src.region} endpoint weight to 0 so no traffic reaches it, failover included`, { kind: 'set-endpoint-weight', group: groupRef(src), weight: 0 }, t.actionSeconds),
    block('fence-dial', `Set ${src.region} traffic dial to 0%`, { kind: 'set-traffic-dial', group: groupRef(src), percent: 0 }, t.actionSeconds),
  ];
  const scaleTo = block('scale-compute', `Scale ${dst.autoScalingGroupName} in ${dst.region} to ${dst.capacity.desired} (min ${dst.capacity.min}, max ${dst.capacity.max})`, { kind: 'set-capacity', asg: asgRef(dst), capacity: dst.capacity }, t.actionSeconds);
  const awaitHealthy = block('await-healthy', `Wait for ${dst.capacity.desired} healthy targets in ${dst.region}`, { kind: 'await-healthy', asg: asgRef(dst), count: dst.capacity.desired }, t.healthySeconds);
  const promote = block('promote-replica', `Promote ${dst.dbInstanceIdentifier} in ${dst.region}`, { kind: 'promote-replica', db: dbRef(dst) }, t.promotionSeconds);
  const awaitWritable = block('await-writable', `Wait until ${dst.dbInstanceIdentifier} accepts writes`, { kind: 'await-writable', db: dbRef(dst) }, t.promotionSeconds);
  const shift: PlanStep = {
    id: 'shift-traffic',
    name: `Shift traffic to ${dst.region}`,
    blocks: [
      block('open-weight', `Set ${dst.region} endpoint weight to ${ACTIVE_ENDPOINT_WEIGHT}`, { kind: 'set-endpoint-weight', group: groupRef(dst), weight: ACTIVE_ENDPOINT_WEIGHT }, t.actionSeconds),
      block('open-dial', `Set ${dst.region} traffic dial to 100%`, { kind: 'set-traffic-dial', group: groupRef(dst), percent: 100 }, t.actionSeconds),
    ],
  };
  const verify: PlanStep = {
    id: 'verify',
    name: `Verify ${dst.region} serves`,
    blocks: [block('verify-serving', `Global Accelerator reports ${dst.region} healthy and ${dst.healthCheckUrl} answers`, { kind: 'verify-serving', group: groupRef(dst), url: dst.healthCheckUrl }, t.healthySeconds)],
  };
  const plannedHandover = (idPrefix: string): PlanStep[] => [
    {
      id: `${idPrefix}fence`,
      name: `Drain and fence ${src.region}`,
      blocks: [...fenceTraffic, block('fence-writes', `Make ${src.dbInstanceIdentifier} read-only`, { kind: 'set-write-fence', db: dbRef(src), fenced: true }, t.actionSeconds)],
    },
    {
      id: `${idPrefix}sync`,
      name: 'Wait for zero replica lag',
      blocks: [block('await-sync', `Wait until ${dst.dbInstanceIdentifier} has applied every write`, { kind: 'await-replica-sync', db: dbRef(dst), maxLagSeconds: 0 }, t.replicaSyncSeconds)],
    },
    { id: `${idPrefix}promote`, name: `Promote ${dst.dbInstanceIdentifier}`, blocks: [promote] },
    { id: `${idPrefix}await-writable`, name: 'Wait until writable', blocks: [awaitWritable] },
    shift,
    verify,
  ];

  let steps: PlanStep[];
  switch (operation) {
    case 'failover':
      steps = [
        // Fencing a dead region's traffic does not depend on the promotion, so they run together;
        // traffic opens to the new region only in a later step, after both are done.
        { id: 'fence-promote-scale', name: `Fence ${src.region}, promote the replica and scale ${dst.region}`, blocks: [...fenceTraffic, promote, scaleTo] },
        { id: 'await-ready', name: 'Wait until writable and healthy', blocks: [awaitWritable, awaitHealthy] },
        shift,
        verify,
      ];
      break;
    case 'switchover':
      steps = [
        { id: 'scale', name: `Scale ${dst.region}`, blocks: [scaleTo] },
        { id: 'await-capacity', name: `Wait for healthy capacity in ${dst.region}`, blocks: [awaitHealthy] },
        ...plannedHandover(''),
      ];
      break;
    case 'failback': {
      const pilot = (r: RegionResources): AsgRef => asgRef(r);
      steps = [
        {
          id: 'retire-stale',
          name: `Retire the stale database in ${dst.region}`,
          blocks: [block('retire-stale-db', `Rename ${dst.dbInstanceIdentifier} in ${dst.region} to ${retiredIdentifier(dst.dbInstanceIdentifier, runTag)} (kept for reconciliation)`, { kind: 'rename-instance', db: dbRef(dst), newIdentifier: retiredIdentifier(dst.dbInstanceIdentifier, runTag) }, t.actionSeconds)],
        },
        {
          id: 'replicate-home',
          name: `Replicate ${src.dbInstanceIdentifier} to ${dst.region} and scale ${dst.region}`,
          blocks: [block('create-home-replica', `Create replica ${dst.dbInstanceIdentifier} in ${dst.region} from ${src.dbInstanceIdentifier}`, { kind: 'create-replica', db: dbRef(dst), source: dbRef(src) }, t.replicaCreateSeconds), scaleTo],
        },
        { id: 'await-capacity', name: `Wait for healthy capacity in ${dst.region}`, blocks: [awaitHealthy] },
        ...plannedHandover(''),
        {
          id: 'retire-promoted',
          name: `Retire the promoted database in ${src.region} and return it to a pilot light`,
          blocks: [
            block('retire-promoted-db', `Rename ${src.dbInstanceIdentifier} in ${src.region} to ${retiredIdentifier(src.dbInstanceIdentifier, runTag)}`, { kind: 'rename-instance', db: dbRef(src), newIdentifier: retiredIdentifier(src.dbInstanceIdentifier, runTag) }, t.actionSeconds),
            block('scale-down', `Scale ${src.autoScalingGroupName} in ${src.region} to 0 (max ${src.capacity.max})`, { kind: 'set-capacity', asg: pilot(src), capacity: { min: 0, desired: 0, max: src.capacity.max } }, t.actionSeconds),
          ],
        },
        {
          id: 'restore-pilot-light',
          name: `Recreate the replica in ${src.region}`,
          blocks: [block('create-dr-replica', `Create replica ${src.dbInstanceIdentifier} in ${src.region} from ${dst.dbInstanceIdentifier}`, { kind: 'create-replica', db: dbRef(src), source: dbRef(dst) }, t.replicaCreateSeconds)],
        },
      ];
      break;
    }
    default:
      return assertNever(operation, 'operation');
  }
  return { operation, from, to, fromRegion: src.region, toRegion: dst.region, steps };
}
