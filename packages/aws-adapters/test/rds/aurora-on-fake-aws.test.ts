import { parseConfig, referenceAuroraConfig } from '@dr/failover-core';
import { isNotReady, isRegionUnreachable } from '@dr/failover-core/errors';
import type { DbRef, DbStatus } from '@dr/failover-core/ports';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuroraDatabase, AuroraGlobalDatabase, CloudWatchMetrics } from '../../src/index.js';
import { fastPolicy } from '../fixtures.js';

// The Aurora adapters through a real SDK over HTTP against the fake: the adapters, the query
// protocol and the fake's model of a global database must agree on a failover's whole course.
const config = parseConfig(referenceAuroraConfig);
let fake: FakeAws;
let server: FakeAwsServer;
let database: AuroraDatabase;
let global: AuroraGlobalDatabase;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake);
  const clientConfig = { endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' }, maxAttempts: 1 };
  const policy = fastPolicy({ timeoutMs: 5_000 });
  database = new AuroraDatabase({
    clientConfig,
    metrics: new CloudWatchMetrics({ clientConfig, policy }),
    regions: [config.primary, config.secondary],
    policy,
    globalClusterIdentifier: 'lamp-global',
    engineVersion: '8.0.mysql_aurora.3.08.0',
  });
  global = new AuroraGlobalDatabase({ clientConfig, policy });
});
afterEach(async () => server.stop());

const primaryDb: DbRef = { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary-1' };
const secondaryDb: DbRef = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-secondary-1' };
const primary = { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' };
const secondary = { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary' };

/** Describes `db` until `done` holds (at most 12 times); returns every status seen. */
async function until(db: DbRef, done: (s: DbStatus) => boolean): Promise<DbStatus[]> {
  const seen: DbStatus[] = [];
  for (let i = 0; i < 12; i++) {
    const s = await database.describe(db);
    seen.push(s);
    if (done(s)) return seen;
  }
  throw new Error(`${db.dbInstanceIdentifier}: never reached the state; saw ${seen.map((s) => `${s.role}/${s.status}`).join(', ')}`);
}

describe('the Aurora adapters on the fake AWS over HTTP', () => {
  it('fails over while the primary region is out, then keeps the old volume snapshot once the old primary rejoins', async () => {
    expect(await database.describe(secondaryDb)).toMatchObject({
      role: 'replica',
      replicaLagSeconds: 0.8,
      replicating: true,
      writable: false,
    });
    fake.outages.add('eu-west-1');

    await global.failover('lamp-global', secondary);
    await global.failover('lamp-global', secondary);

    const course = await until(secondaryDb, (s) => s.writable);
    // The cluster is read before the global cluster, so each describe shows the cluster one state behind the membership.
    expect(course.map((s) => `${s.role}/${s.status}`)).toEqual([
      'replica/failing-over',
      'replica/failing-over',
      'primary/failing-over',
      'primary/available',
    ]);
    expect(fake.calls.failoverGlobalCluster).toBe(1);
    expect(fake.writable('us-east-1')).toEqual(['lamp-secondary-1']);

    fake.outages.delete('eu-west-1');
    const rejoin = await until(primaryDb, (s) => s.replicating === true);
    expect(rejoin.at(0)).toMatchObject({ role: 'replica', replicating: false });
    const snapshot = await global.failoverSnapshot(primary, 'lamp-primary-lost-writes-1');
    expect(snapshot.source?.id).toMatch(/^rds:unplanned-global-failover-lamp-primary-/);
    expect(snapshot.copy).toBeUndefined();
    // A system snapshot still being taken cannot be copied yet.
    expect(isNotReady(await global.keepSnapshot(primary, snapshot.source!.id, 'lamp-primary-lost-writes-1').catch((e: unknown) => e))).toBe(
      true,
    );
    for (let i = 0; i < 5; i++)
      if ((await global.failoverSnapshot(primary, 'lamp-primary-lost-writes-1')).source?.status === 'available') break;
    await global.keepSnapshot(primary, snapshot.source!.id, 'lamp-primary-lost-writes-1');
    await global.keepSnapshot(primary, snapshot.source!.id, 'lamp-primary-lost-writes-1');
    expect((await global.failoverSnapshot(primary, 'lamp-primary-lost-writes-1')).copy).toMatchObject({ id: 'lamp-primary-lost-writes-1' });
    expect(fake.calls.copyClusterSnapshot).toBe(1);
  });

  it('fences the writer through its cluster group, then switches over with no data loss', async () => {
    await database.setWriteFence(primaryDb, true);
    const fencing = await until(primaryDb, (s) => s.writeFenced);
    expect(fencing.map((s) => `${s.parameterGroup?.applyStatus}/${s.writeFenced}`)).toEqual([
      'applying/false',
      'applying/false',
      'in-sync/true',
    ]);
    expect(await database.describe(secondaryDb)).toMatchObject({ replicaLagSeconds: 0 });

    await global.switchover('lamp-global', secondary);

    await until(secondaryDb, (s) => s.role === 'primary' && s.status === 'available');
    expect(await global.describe('lamp-global', 'eu-west-1')).toMatchObject({
      failoverState: undefined,
      members: [
        { region: 'eu-west-1', isWriter: false, synchronizationStatus: 'connected' },
        { region: 'us-east-1', isWriter: true, synchronizationStatus: 'connected' },
      ],
    });
    expect(fake.calls.switchoverGlobalCluster).toBe(1);
  });

  it('sends a switchover to the primary region (unreachable in its outage), and takes one refused while a member rebuilds as not yet', async () => {
    fake.outages.add('eu-west-1');
    expect(isRegionUnreachable(await global.switchover('lamp-global', secondary).catch((e: unknown) => e))).toBe(true);
    fake.outages.delete('eu-west-1');
    fake.aurora.global!.members[0]!.synchronizationStatus = 'pending-resync';
    expect(isNotReady(await global.switchover('lamp-global', secondary).catch((e: unknown) => e))).toBe(true);
  });
});
