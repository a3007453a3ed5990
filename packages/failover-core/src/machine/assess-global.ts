/**
 * How far the Aurora tier's blocks are: a managed failover or switchover of the global database,
 * the old primary rejoining it, and the snapshot of its old volume kept. Pure, like `assess`.
 */
import type { BlockAction } from '../plan/types.js';
import type { DbStatus, GlobalClusterStatus } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import type { Assessment } from './assess.js';
import type { Observation } from './types.js';

type GlobalAction = Extract<
  BlockAction,
  { readonly kind: 'failover-global-cluster' | 'switchover-global-cluster' | 'await-rejoined' | 'keep-failover-snapshot' }
>;

const done = (detail: string): Assessment => ({ progress: 'done', detail });
const going = (detail: string): Assessment => ({ progress: 'in-progress', detail });
const notStarted = (detail: string): Assessment => ({ progress: 'not-started', detail });
const impossible = (detail: string): Assessment => ({ progress: 'impossible', detail });

/** `, captured at <UTC time>` for a snapshot's time, when known. */
const capturedAt = (at: number | undefined): string =>
  at === undefined ? '' : `, captured at ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The member of `global` that is `cluster` in `region`, if it is one. */
export const memberOf = (global: GlobalClusterStatus, region: string, dbClusterIdentifier: string) =>
  global.members.find((m) => m.region === region && m.dbClusterIdentifier === dbClusterIdentifier);

/** Judges an Aurora tier block from what the ports showed; throws when the observation does not fit the block. */
export function assessGlobal(action: GlobalAction, observation: Observation): Assessment {
  switch (action.kind) {
    case 'failover-global-cluster':
    case 'switchover-global-cluster':
      if (observation.kind !== 'global-cluster') break;
      return assessHandover(action, observation.global, observation.db);
    case 'await-rejoined':
      if (observation.kind !== 'global-cluster') break;
      return assessRejoined(action, observation.global, observation.db);
    case 'keep-failover-snapshot': {
      if (observation.kind !== 'failover-snapshot') break;
      const { source, copy } = observation.status;
      // AWS only tries to snapshot the old volume: a system snapshot of an earlier failover may be
      // the newest there is. Say when the kept one captured the volume, so nobody takes it for this one.
      if (copy?.status === 'available') return done(`kept as ${copy.id}${capturedAt(copy.createdAt ?? source?.createdAt)}`);
      if (copy) return going(`copy ${copy.id} ${copy.status}`);
      if (!source) return done(`Aurora kept no snapshot of the old volume of ${action.cluster.dbClusterIdentifier}: nothing to keep`);
      return source.status === 'available' ? notStarted(`${source.id} is a system snapshot`) : going(`${source.id} ${source.status}`);
    }
    default:
      return assertNever(action, 'global database block');
  }
  throw new Error(`observation ${observation.kind} does not fit block ${action.kind}`);
}

/** A failover or switchover is done once the target is the writer, nothing is in progress and its instance answers. */
function assessHandover(
  action: Extract<GlobalAction, { kind: 'failover-global-cluster' | 'switchover-global-cluster' }>,
  global: GlobalClusterStatus,
  db: DbStatus,
): Assessment {
  const { region, dbClusterIdentifier: id } = action.target;
  if (!global.exists) return impossible(`global database ${action.globalClusterIdentifier} not found from ${region}`);
  const member = memberOf(global, region, id);
  if (!member) return impossible(`${id} in ${region} is not a member of ${action.globalClusterIdentifier}`);
  const inProgress = global.failoverState;
  if (member.isWriter && !inProgress)
    return db.exists && db.status === 'available'
      ? done(`${id} is the writer, ${db.status}`)
      : going(`${id} is the writer, its instance ${db.exists ? db.status : 'not found'}`);
  if (inProgress) return going(`${inProgress.status}${inProgress.toRegion ? ` to ${inProgress.toRegion}` : ''}`);
  return notStarted(`${id} is a secondary${member.synchronizationStatus ? ` (${member.synchronizationStatus})` : ''}`);
}

/** The old primary has rejoined once it is a synchronized secondary whose instance is available. */
function assessRejoined(action: Extract<GlobalAction, { kind: 'await-rejoined' }>, global: GlobalClusterStatus, db: DbStatus): Assessment {
  const { region, dbClusterIdentifier: id } = action.cluster;
  if (!global.exists) return impossible(`global database ${action.globalClusterIdentifier} not found from ${region}`);
  const member = memberOf(global, region, id);
  if (!member) return going(`${id} in ${region} is not a member of ${action.globalClusterIdentifier} yet`);
  if (member.isWriter) return impossible(`${id} in ${region} is the writer: there is nothing to rejoin`);
  if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected')
    return going(`${id} ${member.synchronizationStatus} (rebuilt on a new volume)`);
  if (!db.exists) return going(`${action.db.dbInstanceIdentifier} not there yet`);
  return db.status === 'available' ? done(`${id} is a synchronized secondary`) : going(`${action.db.dbInstanceIdentifier} ${db.status}`);
}
