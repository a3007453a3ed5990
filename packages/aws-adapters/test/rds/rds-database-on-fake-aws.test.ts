import { isOperationRejected, mayHaveLanded } from '@dr/failover-core/errors';
import type { DbRef, DbStatus } from '@dr/failover-core/ports';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics, RdsDatabase } from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

// RdsDatabase through a real SDK over HTTP against the fake: the adapter, the query protocol and
// the fake's model of RDS must agree on every call of a database's lifecycle.
let fake: FakeAws;
let server: FakeAwsServer;
let database: RdsDatabase;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake);
  const clientConfig = { endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' }, maxAttempts: 1 };
  const policy = fastPolicy({ timeoutMs: 5_000 });
  database = new RdsDatabase({
    clientConfig,
    metrics: new CloudWatchMetrics({ clientConfig, policy }),
    regions: [config.primary, config.secondary],
    policy,
  });
});
afterEach(async () => server.stop());

const primary: DbRef = { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary' };
const replica: DbRef = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica' };

/** Describes `db` until `done` holds (at most 10 times); returns every status seen. */
async function until(db: DbRef, done: (s: DbStatus) => boolean): Promise<DbStatus[]> {
  const seen: DbStatus[] = [];
  for (let i = 0; i < 10; i++) {
    const s = await database.describe(db);
    seen.push(s);
    if (done(s)) return seen;
  }
  throw new Error(
    `${db.dbInstanceIdentifier}: never reached the state; saw ${seen.map((s) => `${s.status}/${s.parameterGroup?.applyStatus}`).join(', ')}`,
  );
}

describe('RdsDatabase on the fake AWS over HTTP', () => {
  it('hands the database over to the DR region and retires the old primary so that no lifted fence reaches it', async () => {
    // Fence the primary: the fence counts only once applied.
    await database.setWriteFence(primary, true);
    const fencing = await until(primary, (s) => s.writeFenced);
    expect(fencing.map((s) => `${s.parameterGroup?.applyStatus}/${s.writeFenced}/${s.writable}`)).toEqual([
      'applying/false/false',
      'applying/false/false',
      'in-sync/true/false',
    ]);
    expect(fake.writable('eu-west-1')).toEqual([]);

    // Promote the replica, with backups: {TrueIfReplica} makes it writable with no change.
    await database.promoteReplica(replica, { backupRetentionDays: 7 });
    const promoted = (await until(replica, (s) => s.writable)).at(-1);
    expect(promoted).toMatchObject({
      role: 'primary',
      readOnly: 'default',
      backupRetentionDays: 7,
      parameterGroup: { name: 'lamp-replica-params', applyStatus: 'in-sync' },
    });

    // Retire the old primary: renamed, then read-only for good after its reboot.
    await database.retireInstance(primary, 'lamp-primary-retired-1');
    await until(primary, (s) => !s.exists);
    const retiredRef = { ...primary, dbInstanceIdentifier: 'lamp-primary-retired-1' };
    expect(await database.describe(retiredRef)).toMatchObject({
      parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'pending-reboot' },
      writeFenced: false,
      writable: false,
    });
    await database.retireInstance(primary, 'lamp-primary-retired-1');
    await database.rebootInstance(retiredRef);
    expect((await until(retiredRef, (s) => s.writeFenced && s.status === 'available')).at(-1)).toMatchObject({
      status: 'available',
      readOnly: 'on',
      parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'in-sync' },
    });

    // A new replica at home, with the home region's settings; lifting its group's fence leaves
    // the retired instance read-only.
    await database.createReplica(primary, replica);
    expect(fake.db('eu-west-1', 'lamp-primary')).toMatchObject({
      role: 'replica',
      parameterGroup: 'lamp-primary-params',
      settings: {
        instanceClass: 'db.t3.small',
        storageType: 'gp2',
        kmsKeyId: config.primary.dbKmsKeyArn,
        subnetGroupName: 'lamp-primary-subnets',
        deletionProtection: true,
        iamAuthentication: true,
        cloudwatchLogsExports: ['error', 'slowquery'],
        backupRetentionPeriod: 0,
        tags: { app: 'lamp', 'dr:source': 'arn:aws:rds:us-east-1:123456789012:db:lamp-replica' },
      },
    });
    await until(primary, (s) => s.status === 'available');
    await database.setWriteFence(primary, false);
    await until(primary, (s) => s.parameterGroup?.applyStatus === 'in-sync' && s.readOnly === 'default');
    expect(fake.writable('eu-west-1')).toEqual([]);
    expect(fake.db('eu-west-1', 'lamp-primary-retired-1')?.readOnlyEffective).toBe(true);

    await database.setBackupRetention(primary, 7);
    expect(fake.db('eu-west-1', 'lamp-primary')?.settings.backupRetentionPeriod).toBe(7);
    expect(await database.listInstances('eu-west-1', 'lamp-primary-retired-')).toMatchObject([
      {
        dbInstanceIdentifier: 'lamp-primary-retired-1',
        role: 'primary',
        parameterGroupName: 'lamp-primary-retired',
        instanceClass: 'db.t3.small',
      },
    ]);
    expect(fake.calls).toMatchObject({
      setWriteFence: 1,
      liftWriteFence: 1,
      promoteReplica: 1,
      retireInstance: 1,
      rebootInstance: 1,
      createReplica: 1,
      setBackupRetention: 1,
    });
  });

  it('refuses to fence an instance that runs with a default group, and changes no group', async () => {
    const db = fake.dbs.find((d) => d.id === 'lamp-replica')!;
    db.parameterGroup = db.effectiveParameterGroup = 'default.mysql8.4';

    await expect(database.setWriteFence(replica, true)).rejects.toSatisfy(isOperationRejected);
    expect(fake.calls.setWriteFence).toBeUndefined();
  });

  it('reports a fence whose answer was lost as possibly landed, and a retry sends nothing more', async () => {
    fake.loseResponses.set('ModifyDBParameterGroup', 1);

    const error = await database.setWriteFence(primary, true).catch((e: unknown) => e);
    await database.setWriteFence(primary, true);

    expect(mayHaveLanded(error)).toBe(true);
    expect(fake.calls.setWriteFence).toBe(1);
    expect((await until(primary, (s) => s.writeFenced)).at(-1)?.writeFenced).toBe(true);
  });
});
