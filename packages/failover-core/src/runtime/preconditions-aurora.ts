/**
 * Plan evaluation on the Aurora tier: the target cluster is a secondary of the global database
 * that AWS can hand the writer to (an instance available, synchronized), a failover's global lag
 * is within `maxDataLossSeconds` (the RPO guard), and a failback's or rebuild's old primary is
 * still in the global database (AWS re-adds a recovered old primary by itself; one that was
 * removed is not, and waiting for it would never end).
 */
import { memberOf } from '../machine/assess-global.js';
import type { PreconditionProblem } from '../machine/types.js';
import { blocksOf, type Plan } from '../plan/types.js';
import type { DbRef, DbStatus, GlobalClusterStatus, Ports } from '../ports.js';

/** What reading a resource for a precondition needs: a read retried while throttled, a problem when it fails. */
export type PreconditionRead = <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>;

/** Checks the Aurora tier's blocks of `plan`; returns the failover's global lag when it could be read. */
export async function auroraPreconditions(
  plan: Plan,
  ports: Ports,
  maxDataLossSeconds: number,
  problems: PreconditionProblem[],
  read: PreconditionRead,
  describe: (db: DbRef) => Promise<DbStatus | undefined>,
): Promise<number | undefined> {
  const handover = [...blocksOf(plan, 'failover-global-cluster'), ...blocksOf(plan, 'switchover-global-cluster')][0]?.action;
  const rejoin = blocksOf(plan, 'await-rejoined')[0]?.action;
  const ref = handover ?? rejoin;
  if (!ref) return undefined;
  const region = handover ? handover.target.region : rejoin!.cluster.region;
  const global = await read(`global database ${ref.globalClusterIdentifier} from ${region}`, () =>
    ports.globalDatabase.describe(ref.globalClusterIdentifier, region),
  );
  if (global && !global.exists) {
    problems.push({ kind: 'precondition', message: `global database ${ref.globalClusterIdentifier} was not found from ${region}` });
    return undefined;
  }
  if (rejoin && global) rejoinProblems(rejoin.cluster, ref.globalClusterIdentifier, global, problems);
  if (!handover) return undefined;
  const { target } = handover;
  const name = `${target.dbClusterIdentifier} in ${target.region}`;
  const member = global && memberOf(global, target.region, target.dbClusterIdentifier);
  if (global && !member) problems.push({ kind: 'precondition', message: `${name} is not a member of ${ref.globalClusterIdentifier}` });
  else if (member?.isWriter)
    problems.push({
      kind: 'precondition',
      message: `${name} is already the writer of ${ref.globalClusterIdentifier}: nothing to hand over`,
    });
  if (global?.failoverState)
    problems.push({
      kind: 'precondition',
      message: `${ref.globalClusterIdentifier} is ${global.failoverState.status} already: wait for it to end (aws rds describe-global-clusters)`,
    });
  // The secondary's instance is what AWS promotes: with none available a failover or switchover is refused (a headless cluster).
  // A failback's target is the old primary being re-added: the plan waits for its instance.
  if (rejoin) return undefined;
  const db = await describe(handover.db);
  if (db && !db.exists)
    problems.push({ kind: 'precondition', message: `${handover.db.dbInstanceIdentifier} in ${target.region} was not found` });
  else if (db && db.status !== 'available')
    problems.push({
      kind: 'precondition',
      message: `${handover.db.dbInstanceIdentifier} in ${target.region} is ${db.status}, not available`,
    });
  if (handover.kind === 'switchover-global-cluster') return undefined;
  const lag = db?.replicaLagSeconds;
  if (db?.exists && lag === undefined) problems.push({ kind: 'rpo', message: `the global lag of ${name} is unknown` });
  else if (lag !== undefined && lag > maxDataLossSeconds)
    problems.push({
      kind: 'rpo',
      message: `global lag ${lag}s exceeds maxDataLossSeconds ${maxDataLossSeconds}s: failing over now would lose up to ${lag}s of writes`,
    });
  return lag;
}

/** A failback or rebuild waits for the old primary to rejoin; one that left the global database never will. */
function rejoinProblems(
  cluster: { readonly region: string; readonly dbClusterIdentifier: string },
  globalClusterIdentifier: string,
  global: GlobalClusterStatus,
  problems: PreconditionProblem[],
): void {
  if (memberOf(global, cluster.region, cluster.dbClusterIdentifier)) return;
  problems.push({
    kind: 'precondition',
    message: `${cluster.dbClusterIdentifier} in ${cluster.region} is not a member of ${globalClusterIdentifier}: AWS re-adds a recovered old primary by itself, so it was removed. Add a secondary cluster named ${cluster.dbClusterIdentifier} there (aws rds create-db-cluster --global-cluster-identifier ${globalClusterIdentifier}, or redeploy the DR stack), then run this again`,
  });
}
