/**
 * The simulator's `GlobalDatabase` port. The world models the RDS tier only so far: every call
 * answers that the region knows no global cluster, as RDS does for an identifier it does not know
 * (`GlobalClusterNotFoundFault`).
 */
import { ResourceNotFoundError } from '../errors.js';
import type { GlobalDatabase } from '../ports.js';
import type { SimMutatingCall } from './sim-database.js';
import type { SimWorld } from './world.js';

/** The `GlobalDatabase` port over the world; every call goes through `call`. */
export function makeSimGlobalDatabase(_w: SimWorld, call: SimMutatingCall): GlobalDatabase {
  const none = (region: string, id: string) => () => {
    throw new ResourceNotFoundError(`global cluster ${id}`, region);
  };
  return {
    describe: (id, region) => call(region, 'describeGlobalCluster', () => ({ exists: false, status: 'not-found', members: [] })),
    failover: (id, target) => call(target.region, 'failoverGlobalCluster', none(target.region, id), true),
    switchover: (id, target) => call(target.region, 'switchoverGlobalCluster', none(target.region, id), true),
    failoverSnapshot: (cluster) => call(cluster.region, 'describeClusterSnapshots', () => ({})),
    keepSnapshot: (cluster, source) => call(cluster.region, 'copyClusterSnapshot', none(cluster.region, source), true),
  };
}
