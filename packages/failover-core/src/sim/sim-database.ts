/**
 * The simulator's `Database` port: each call's effect on the simulated RDS at the moment it
 * lands, with the errors RDS answers (an instance not found, one not available yet, a default
 * parameter group that cannot be modified). Latency, outages, throttling and lost answers are the
 * caller's (`SimPorts`), as for every simulated port.
 */
import { NotReadyError, OperationRejectedError, ResourceNotFoundError } from '../errors.js';
import type { Database, DbInstanceSummary, DbRef, DbStatus } from '../ports.js';
import { deployedSettings } from './layout.js';
import { DEFAULT_PARAMETER_GROUP, type SimDb } from './sim-rds.js';
import type { SimWorld } from './world.js';
import { auroraClusterOf, auroraSetWriteFence, auroraStatusOf, refuseOnAurora } from './aurora-database.js';

/** How the simulator's ports make a call that may change the world: latency and faults, then the effect. */
export type SimMutatingCall = <T>(region: string, name: string, effect: (t: number) => T, mutating?: boolean) => Promise<T>;

const MISSING: DbStatus = { exists: false, status: 'not-found', role: 'primary', writable: false, writeFenced: false };

/** The `Database` port over the world's simulated RDS; every call goes through `call`. */
export function makeSimDatabase(w: SimWorld, call: SimMutatingCall): Database {
  return {
    describe: (ref) =>
      call(ref.region, 'describeDbInstance', (t): DbStatus => {
        const db = w.findDb(ref.region, ref.dbInstanceIdentifier, t);
        const cluster = db && auroraClusterOf(w, db);
        if (cluster) return auroraStatusOf(w, cluster, t);
        return db ? statusOf(w, db, t) : MISSING;
      }),
    promoteReplica: (ref, options = {}) => call(ref.region, 'promoteReplica', (t) => promote(w, ref, options, t), true),
    createReplica: (target, source) => call(target.region, 'createReplica', (t) => createReplica(w, target, source, t), true),
    retireInstance: (ref, newIdentifier) => call(ref.region, 'retireInstance', (t) => retire(w, ref, newIdentifier, t), true),
    rebootInstance: (ref) =>
      call(
        ref.region,
        'rebootInstance',
        (t) => {
          const db = existing(w, ref, t, 'rebootInstance');
          const { rds } = w;
          if (rds.statusAt(db, t) !== 'available')
            throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)} and cannot be rebooted`);
          db.reboots.push({ at: t, doneAt: t + w.draw(`reboot:${db.key}:${db.reboots.length}`, w.latency.rebootMs) });
        },
        true,
      ),
    setWriteFence: (ref, fenced) => call(ref.region, 'setWriteFence', (t) => setWriteFence(w, ref, fenced, t), true),
    setBackupRetention: (ref, days) =>
      call(
        ref.region,
        'setBackupRetention',
        (t) => {
          const db = existing(w, ref, t);
          const { rds } = w;
          if (rds.backupRetentionAt(db, t) === days) return;
          if (rds.statusAt(db, t) !== 'available') throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)}`);
          db.backups.push({ at: t, doneAt: t + w.draw(`backups:${db.key}:${db.backups.length}`, w.latency.backupRetentionMs), days });
        },
        true,
      ),
    listInstances: (region, prefix) => call(region, 'listInstances', (t) => listInstances(w, region, prefix, t)),
  };
}

/** The instance `ref` names; `rdsOnly` names a call of the RDS tier, refused on an Aurora instance. */
function existing(w: SimWorld, ref: DbRef, t: number, rdsOnly?: string): SimDb {
  const db = w.findDb(ref.region, ref.dbInstanceIdentifier, t);
  if (!db) throw new ResourceNotFoundError(`RDS instance ${ref.dbInstanceIdentifier}`, ref.region);
  const cluster = rdsOnly ? auroraClusterOf(w, db) : undefined;
  if (cluster) refuseOnAurora(rdsOnly!, ref, cluster);
  return db;
}

/** What DescribeDBInstances (with the replica's CloudWatch lag) shows of `db` at `t`. */
function statusOf(w: SimWorld, db: SimDb, t: number): DbStatus {
  const { rds } = w;
  const role = rds.roleAt(db, t);
  const lag = w.lagMsAt(db, t);
  const source = rds.source(db);
  const params = rds.parametersAt(db, t);
  const status = rds.statusAt(db, t);
  return {
    exists: true,
    status,
    role,
    sourceIdentifier: role === 'replica' && source ? rds.idAt(source, t) : undefined,
    writable: w.writableAt(db, t),
    writeFenced: params.setting === 'on' && params.applyStatus === 'in-sync',
    // CloudWatch reports ReplicaLag in whole seconds.
    replicaLagSeconds: lag === undefined ? undefined : Math.round(lag / 1000),
    replicating: rds.replicatingAt(db, t),
    parameterGroup: { name: params.group, applyStatus: params.applyStatus },
    readOnly: params.setting,
    backupRetentionDays: rds.backupRetentionAt(db, t),
    instanceClass: db.settings.instanceClass,
    allocatedStorageGiB: db.settings.allocatedStorageGiB,
    deletionProtection: db.settings.deletionProtection ?? false,
  };
}

/** PromoteReadReplica: the replica goes modifying, rebooting, then writable, at drawn times. */
function promote(w: SimWorld, ref: DbRef, options: { readonly backupRetentionDays?: number | undefined }, t: number): void {
  const { rds } = w;
  const db = existing(w, ref, t, 'promoteReplica');
  if (w.faults.promotionFails)
    throw new OperationRejectedError(`InvalidDBInstanceState: ${ref.dbInstanceIdentifier} cannot be promoted (storage-full)`);
  // Already promoted or promoting: success, as the AWS adapter maps InvalidDBInstanceState.
  if (db.promotion || rds.roleAt(db, t) === 'primary') return;
  if (rds.statusAt(db, t) !== 'available')
    throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)} and cannot be promoted yet`);
  db.promotion = {
    requestedAt: t,
    modifyingAt: t + w.draw(`promote-available:${db.key}`, w.latency.promoteStillAvailableMs),
    rebootingAt: t + w.draw(`promote-modifying:${db.key}`, w.latency.promoteModifyingMs),
    writableAt: t + w.draw(`promote-writable:${db.key}`, w.latency.promoteWritableMs),
  };
  if (options.backupRetentionDays !== undefined)
    db.backups.push({ at: t, doneAt: db.promotion.writableAt, days: options.backupRetentionDays });
  const loss = w.faults.capacityLossAfterPromotion;
  if (loss && loss.region === ref.region)
    w.inject({ capacityLoss: [{ region: loss.region, from: t + loss.afterMs, to: t + loss.afterMs + loss.forMs }] });
}

/** CreateDBInstanceReadReplica across regions: available after a drawn time, then catching up on the lag. */
function createReplica(w: SimWorld, target: DbRef, source: DbRef, t: number): void {
  const { rds } = w;
  if (w.aurora)
    throw new OperationRejectedError(
      `createReplica: ${target.dbInstanceIdentifier} would join a global database's cluster; AWS re-adds Aurora members itself`,
    );
  if (w.findDb(target.region, target.dbInstanceIdentifier, t)) return;
  const src = existing(w, source, t);
  // RDS: "Your source DB instance must have backup retention enabled."
  if (rds.backupRetentionAt(src, t) === 0)
    throw new OperationRejectedError(`InvalidDBInstanceState: automated backups are not enabled on ${source.dbInstanceIdentifier}`);
  const r = w.resources(target.region);
  const availableAt = t + w.draw(`create-replica:${target.region}:${t}`, w.latency.createReplicaMs);
  rds.addDb({
    region: target.region,
    id: target.dbInstanceIdentifier,
    role: 'replica',
    sourceKey: src.key,
    createdAt: t,
    availableAt,
    // A cross-region replica gets the engine's default group unless one is named.
    group: rds.group(target.region, r.dbParameterGroupName) ? r.dbParameterGroupName : DEFAULT_PARAMETER_GROUP,
    settings: deployedSettings(r),
    // "RDS creates read replicas with backups disabled."
    backupDays: 0,
    catchUp: {
      lagMs: Math.min(availableAt - t, 600_000),
      until: availableAt + w.draw(`catch-up:${target.region}:${t}`, w.latency.replicaCatchUpMs),
    },
  });
}

/** Renames the instance out of the way and moves it into the region's retired parameter group (read_only 1 after a reboot). */
function retire(w: SimWorld, ref: DbRef, newIdentifier: string, t: number): void {
  const { rds } = w;
  const found = w.findDb(ref.region, ref.dbInstanceIdentifier, t);
  const cluster = found && auroraClusterOf(w, found);
  if (cluster) refuseOnAurora('retireInstance', ref, cluster);
  if (!found && w.findDb(ref.region, newIdentifier, t)) return;
  const db = existing(w, ref, t);
  const retired = w.resources(ref.region).retiredDbParameterGroupName;
  if (!retired || !rds.group(ref.region, retired))
    throw new OperationRejectedError(`cannot retire ${ref.dbInstanceIdentifier}: no retired parameter group in ${ref.region}`);
  if (db.renaming && db.renaming.doneAt > t) return;
  if (rds.statusAt(db, t) !== 'available') throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)}`);
  const doneAt = t + w.draw(`rename:${db.key}`, w.latency.renameMs);
  db.renaming = { at: t, doneAt };
  db.names.push({ id: newIdentifier, from: doneAt });
  db.associations.push({ at: t, group: retired, needsReboot: true });
}

/** Sets `read_only` in the region's own parameter group, which must be the one in effect on the instance. */
function setWriteFence(w: SimWorld, ref: DbRef, fenced: boolean, t: number): void {
  const { rds } = w;
  const db = existing(w, ref, t);
  const cluster = auroraClusterOf(w, db);
  if (cluster) return auroraSetWriteFence(w, ref, cluster, fenced, t);
  const name = w.resources(ref.region).dbParameterGroupName;
  const inEffect = rds.associationAt(db, t).inEffect.group;
  if (inEffect !== name)
    throw new OperationRejectedError(`${ref.dbInstanceIdentifier} uses ${inEffect}, not ${name}: fencing ${name} would not reach it`);
  const group = rds.group(ref.region, name);
  if (!group || group.isDefault) throw new OperationRejectedError(`${name} is a default parameter group, which cannot be modified`);
  rds.setReadOnly(group, fenced ? 'on' : 'default', t);
}

/** The instances of `region` whose identifier starts with `prefix` at `t`. */
function listInstances(w: SimWorld, region: string, prefix: string, t: number): DbInstanceSummary[] {
  const { rds } = w;
  return rds.dbs
    .filter((d) => d.region === region && (rds.idAt(d, t) ?? '').startsWith(prefix))
    .map((d) => ({
      region,
      dbInstanceIdentifier: rds.idAt(d, t)!,
      status: rds.statusAt(d, t),
      role: auroraClusterOf(w, d) ? (w.aurora!.writerAt(t) === auroraClusterOf(w, d) ? 'primary' : 'replica') : rds.roleAt(d, t),
      instanceClass: d.settings.instanceClass,
      allocatedStorageGiB: d.settings.allocatedStorageGiB,
      storageType: d.settings.storageType,
      multiAz: d.settings.multiAz,
      deletionProtection: d.settings.deletionProtection,
      parameterGroupName: rds.associationAt(d, t).inEffect.group,
      createdAt: d.createdAt,
    }));
}
