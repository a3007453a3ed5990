import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  ResetDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../src/index.js';

// The fake answers this process's SDK clients through aws-sdk-client-mock: real commands, no network.
const config = parseConfig(referenceConfig);
const eu = new RDSClient({ region: 'eu-west-1' });
const us = new RDSClient({ region: 'us-east-1' });
const PRIMARY_ARN = 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary';
const US_KEY = 'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws(config);
});
afterEach(() => fake.restore());

/** `status/applyStatus` as one DescribeDBInstances reports it. */
async function seen(client: RDSClient, id: string): Promise<string> {
  const i = (await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  return `${i?.DBInstanceStatus}/${i?.DBParameterGroups?.[0]?.ParameterApplyStatus}`;
}
const seenTimes = async (client: RDSClient, id: string, n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await seen(client, id));
  return out;
};
const fence = (client: RDSClient, group: string) =>
  client.send(
    new ModifyDBParameterGroupCommand({
      DBParameterGroupName: group,
      Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
    }),
  );
const replicaOfPrimary = (id: string, extra: Record<string, unknown> = {}) =>
  us.send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: id,
      SourceDBInstanceIdentifier: PRIMARY_ARN,
      KmsKeyId: US_KEY,
      ...extra,
    }),
  );
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => `${e.name}: ${e.message}`,
  );

describe('FakeAws RDS: parameter groups', () => {
  it('starts with each database in its own group, read-only retired groups and a default group per region', () => {
    expect(fake.db('eu-west-1', 'lamp-primary')).toMatchObject({
      role: 'primary',
      parameterGroup: 'lamp-primary-params',
      applyStatus: 'in-sync',
      readOnlyEffective: false,
      writable: true,
    });
    expect(fake.db('us-east-1', 'lamp-replica')).toMatchObject({
      role: 'replica',
      sourceArn: PRIMARY_ARN,
      parameterGroup: 'lamp-replica-params',
      readOnlyEffective: true,
      writable: false,
    });
    expect(fake.parameterGroup('eu-west-1', 'lamp-primary-retired')?.parameters.get('read_only')).toBe('1');
    expect(fake.parameterGroup('us-east-1', 'lamp-replica-retired')?.parameters.get('read_only')).toBe('1');
    expect(fake.parameterGroup('us-east-1', 'default.mysql8.4')?.isDefault).toBe(true);
    expect([fake.writable('eu-west-1'), fake.writable('us-east-1')]).toEqual([['lamp-primary'], []]);
  });

  it('applies a change to every instance running with the group, applying for two describes then in-sync, and to no other', async () => {
    await eu.send(
      new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'lamp-reporting', SourceDBInstanceIdentifier: 'lamp-primary' }),
    );
    await seenTimes(eu, 'lamp-reporting', 3);
    expect(fake.db('eu-west-1', 'lamp-reporting')?.parameterGroup).toBe('lamp-primary-params');

    await fence(eu, 'lamp-primary-params');

    expect(await seenTimes(eu, 'lamp-primary', 3)).toEqual(['available/applying', 'available/applying', 'available/in-sync']);
    expect(await seenTimes(eu, 'lamp-reporting', 3)).toEqual(['available/applying', 'available/applying', 'available/in-sync']);
    expect(await seen(us, 'lamp-replica')).toBe('available/in-sync');
    expect(fake.db('eu-west-1', 'lamp-primary')).toMatchObject({ readOnlyEffective: true, writable: false });
    expect(fake.calls.setWriteFence).toBe(1);
  });

  it('keeps an instance writable until the fence has applied to it', async () => {
    fake.parameterApplyDescribes = 3;
    await fence(eu, 'lamp-primary-params');

    const writable = [fake.db('eu-west-1', 'lamp-primary')?.writable];
    for (let i = 0; i < 3; i++) {
      await seen(eu, 'lamp-primary');
      writable.push(fake.db('eu-west-1', 'lamp-primary')?.writable);
    }

    expect(writable).toEqual([true, true, true, false]);
  });

  it('refuses to modify or reset a default group', async () => {
    expect(await rejection(fence(us, 'default.mysql8.4'))).toBe('InvalidParameterValue: Cannot modify a default parameter group.');
    expect(
      await rejection(us.send(new ResetDBParameterGroupCommand({ DBParameterGroupName: 'default.mysql8.4', ResetAllParameters: true }))),
    ).toBe('InvalidParameterValue: Cannot modify a default parameter group.');
    expect(await rejection(fence(us, 'no-such-group'))).toBe('DBParameterGroupNotFoundFault: DBParameterGroup not found: no-such-group');
  });

  it('resets read_only to the engine default: gone from the user source, {TrueIfReplica} among the engine defaults', async () => {
    const readOnly = async (source?: string) => {
      const out = await eu.send(
        new DescribeDBParametersCommand({
          DBParameterGroupName: 'lamp-primary-params',
          Source: source,
          Filters: [{ Name: 'parameter-name', Values: ['read_only'] }],
        }),
      );
      return out.Parameters?.map((p) => `${p.Source}:${p.ParameterValue}`);
    };
    await fence(eu, 'lamp-primary-params');
    expect(await readOnly('user')).toEqual(['user:1']);

    await eu.send(
      new ResetDBParameterGroupCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }],
      }),
    );

    expect([await readOnly('user'), await readOnly('engine-default'), await readOnly()]).toEqual([
      [],
      ['engine-default:{TrueIfReplica}'],
      ['engine-default:{TrueIfReplica}'],
    ]);
    expect(await seenTimes(eu, 'lamp-primary', 3)).toEqual(['available/applying', 'available/applying', 'available/in-sync']);
    expect(fake.db('eu-west-1', 'lamp-primary')?.writable).toBe(true);
    expect(fake.calls).toMatchObject({ setWriteFence: 1, liftWriteFence: 1 });
  });

  it('pages DescribeDBParameters with Marker and MaxRecords (20 to 100)', async () => {
    const params = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ParameterName: `p${String(from + i).padStart(2, '0')}`,
        ParameterValue: '1',
        ApplyMethod: 'immediate' as const,
      }));
    await eu.send(new ModifyDBParameterGroupCommand({ DBParameterGroupName: 'lamp-primary-params', Parameters: params(0, 20) }));
    await eu.send(new ModifyDBParameterGroupCommand({ DBParameterGroupName: 'lamp-primary-params', Parameters: params(20, 5) }));

    const first = await eu.send(
      new DescribeDBParametersCommand({ DBParameterGroupName: 'lamp-primary-params', Source: 'user', MaxRecords: 20 }),
    );
    const second = await eu.send(
      new DescribeDBParametersCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Source: 'user',
        MaxRecords: 20,
        Marker: first.Marker,
      }),
    );

    expect([first.Parameters?.length, second.Parameters?.length, second.Marker]).toEqual([20, 5, undefined]);
    expect(
      await rejection(eu.send(new DescribeDBParametersCommand({ DBParameterGroupName: 'lamp-primary-params', MaxRecords: 10 }))),
    ).toMatch(/^InvalidParameterValue/);
  });
});

describe('FakeAws RDS: instances', () => {
  it('lists every instance of a region page by page when no identifier is given', async () => {
    for (let i = 0; i < 20; i++) await replicaOfPrimary(`lamp-extra-${i}`);

    const first = await us.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    const second = await us.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: first.Marker }));

    const ids = [...(first.DBInstances ?? []), ...(second.DBInstances ?? [])].map((d) => d.DBInstanceIdentifier);
    expect([first.DBInstances?.length, second.DBInstances?.length, second.Marker]).toEqual([20, 1, undefined]);
    expect(ids).toContain('lamp-replica');
    expect(ids).not.toContain('lamp-primary');
  });

  it('creates a cross-region replica with every setting it is given, reporting creating for three describes', async () => {
    await replicaOfPrimary('lamp-replica-2', {
      DBParameterGroupName: 'lamp-replica-params',
      DBSubnetGroupName: 'lamp-replica-subnets',
      VpcSecurityGroupIds: ['sg-0fedcba9876543210'],
      DBInstanceClass: 'db.t3.medium',
      StorageType: 'gp3',
      MultiAZ: true,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['error', 'slowquery'],
      CopyTagsToSnapshot: true,
      AutoMinorVersionUpgrade: false,
      PubliclyAccessible: false,
      Tags: [{ Key: 'dr:source', Value: PRIMARY_ARN }],
    });

    expect(await seenTimes(us, 'lamp-replica-2', 4)).toEqual([
      'creating/in-sync',
      'creating/in-sync',
      'creating/in-sync',
      'available/in-sync',
    ]);
    expect(fake.db('us-east-1', 'lamp-replica-2')).toMatchObject({
      role: 'replica',
      sourceArn: PRIMARY_ARN,
      parameterGroup: 'lamp-replica-params',
      readOnlyEffective: true,
    });
    expect(fake.db('us-east-1', 'lamp-replica-2')?.settings).toEqual({
      instanceClass: 'db.t3.medium',
      allocatedStorage: 20,
      storageType: 'gp3',
      storageEncrypted: true,
      kmsKeyId: US_KEY,
      multiAz: true,
      backupRetentionPeriod: 0,
      deletionProtection: true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['error', 'slowquery'],
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: false,
      publiclyAccessible: false,
      subnetGroupName: 'lamp-replica-subnets',
      securityGroupIds: ['sg-0fedcba9876543210'],
      tags: { 'dr:source': PRIMARY_ARN },
    });
    expect(fake.calls.createReplica).toBe(1);
  });

  it('gives a cross-region replica created bare the default group, and backups, protection, IAM auth, log exports and tag copying off', async () => {
    await replicaOfPrimary('lamp-bare');

    expect(fake.db('us-east-1', 'lamp-bare')).toMatchObject({
      parameterGroup: 'default.mysql8.4',
      settings: {
        backupRetentionPeriod: 0,
        deletionProtection: false,
        iamAuthentication: false,
        cloudwatchLogsExports: [],
        copyTagsToSnapshot: false,
        multiAz: false,
        instanceClass: 'db.t3.small',
      },
    });
  });

  it('refuses a replica of a source without automated backups, of an encrypted source without a key, or with an unknown group', async () => {
    fake.dbs.find((d) => d.id === 'lamp-primary')!.settings.backupRetentionPeriod = 0;
    expect(await rejection(replicaOfPrimary('lamp-x'))).toMatch(
      /^InvalidDBInstanceStateFault: Automated backups are not enabled for this database instance/,
    );
    fake.dbs.find((d) => d.id === 'lamp-primary')!.settings.backupRetentionPeriod = 7;

    expect(
      await rejection(
        us.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'lamp-x', SourceDBInstanceIdentifier: PRIMARY_ARN })),
      ),
    ).toMatch(/^InvalidParameterCombination: KmsKeyId/);
    expect(await rejection(replicaOfPrimary('lamp-x', { DBParameterGroupName: 'nope' }))).toBe(
      'DBParameterGroupNotFoundFault: DBParameterGroup not found: nope',
    );
    expect(await rejection(replicaOfPrimary('lamp-replica'))).toMatch(/^DBInstanceAlreadyExistsFault/);
    expect(fake.calls.createReplica ?? 0).toBe(0);
  });

  it('retires: renaming under the old name, then only the new one answers, in the retired group pending a reboot', async () => {
    await eu.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'lamp-primary',
        NewDBInstanceIdentifier: 'lamp-primary-retired-1',
        DBParameterGroupName: 'lamp-primary-retired',
        ApplyImmediately: true,
      }),
    );

    expect(await seenTimes(eu, 'lamp-primary', 2)).toEqual(['renaming/pending-reboot', 'renaming/pending-reboot']);
    expect(await rejection(seen(eu, 'lamp-primary'))).toMatch(/^DBInstanceNotFoundFault/);
    expect(await seen(eu, 'lamp-primary-retired-1')).toBe('available/pending-reboot');
    // Until it reboots, it runs with its old group: lifting that group's fence would reach it.
    expect(fake.db('eu-west-1', 'lamp-primary-retired-1')).toMatchObject({
      parameterGroup: 'lamp-primary-retired',
      effectiveParameterGroup: 'lamp-primary-params',
      writable: true,
    });
    expect(fake.db('us-east-1', 'lamp-replica')?.sourceArn).toBe('arn:aws:rds:eu-west-1:123456789012:db:lamp-primary-retired-1');

    await eu.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary-retired-1' }));

    expect(await seenTimes(eu, 'lamp-primary-retired-1', 3)).toEqual([
      'rebooting/pending-reboot',
      'rebooting/in-sync',
      'available/in-sync',
    ]);
    expect(fake.db('eu-west-1', 'lamp-primary-retired-1')).toMatchObject({
      effectiveParameterGroup: 'lamp-primary-retired',
      readOnlyEffective: true,
      writable: false,
    });
    expect(fake.calls).toMatchObject({ modifyInstance: 1, renameInstance: 1, retireInstance: 1, setParameterGroup: 1, rebootInstance: 1 });
  });

  it('reboots only an available instance', async () => {
    await eu.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary' }));

    expect(await rejection(eu.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary' })))).toBe(
      'InvalidDBInstanceStateFault: DB instance is not in available state.',
    );
    expect(await rejection(eu.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'nope' })))).toMatch(/^DBInstanceNotFoundFault/);
  });

  it('refuses backups off on a source of replicas; turning backups on is an outage (modifying)', async () => {
    expect(
      await rejection(
        eu.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary', BackupRetentionPeriod: 0, ApplyImmediately: true })),
      ),
    ).toMatch(/^InvalidParameterCombination/);
    await replicaOfPrimary('lamp-new');
    await seenTimes(us, 'lamp-new', 3);

    await us.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'lamp-new', BackupRetentionPeriod: 7, ApplyImmediately: true }));

    expect(await seenTimes(us, 'lamp-new', 3)).toEqual(['modifying/in-sync', 'modifying/in-sync', 'available/in-sync']);
    expect(fake.db('us-east-1', 'lamp-new')?.settings.backupRetentionPeriod).toBe(7);
    expect(fake.calls.setBackupRetention).toBe(1);
  });

  it('refuses a modification that changes nothing, and sets deletion protection', async () => {
    expect(
      await rejection(
        eu.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary', BackupRetentionPeriod: 7, ApplyImmediately: true })),
      ),
    ).toBe('InvalidParameterCombination: No modifications were requested');

    await eu.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary', DeletionProtection: false, ApplyImmediately: true }));

    expect(fake.db('eu-west-1', 'lamp-primary')?.settings.deletionProtection).toBe(false);
    expect(fake.calls.setDeletionProtection).toBe(1);
  });

  it('keeps a rename asked for without ApplyImmediately for the maintenance window', async () => {
    await eu.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'lamp-primary', NewDBInstanceIdentifier: 'later' }));

    expect(await seenTimes(eu, 'lamp-primary', 3)).toEqual(['available/in-sync', 'available/in-sync', 'available/in-sync']);
    expect(fake.dbs.find((d) => d.id === 'lamp-primary')?.deferred).toEqual({ NewDBInstanceIdentifier: 'later' });
  });

  it('promotes after the waiter race, with the backup retention asked for, into a writable primary; once', async () => {
    await us.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'lamp-replica', BackupRetentionPeriod: 14 }));

    expect(await seenTimes(us, 'lamp-replica', 6)).toEqual([
      'available/in-sync',
      'available/in-sync',
      'modifying/in-sync',
      'modifying/in-sync',
      'rebooting/in-sync',
      'available/in-sync',
    ]);
    // {TrueIfReplica} on a primary is off: writable with no parameter change.
    expect(fake.db('us-east-1', 'lamp-replica')).toMatchObject({
      role: 'primary',
      writable: true,
      settings: { backupRetentionPeriod: 14 },
    });
    expect(await rejection(us.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'lamp-replica' })))).toBe(
      'InvalidDBInstanceStateFault: DB Instance is not a read replica.',
    );
    expect(fake.calls).toMatchObject({ promoteReplica: 1, promoteReplicaAttempts: 2 });
    expect(fake.writable('us-east-1')).toEqual(['lamp-replica']);
  });

  it("reports the replica's lag until its source's group has read_only = 1", async () => {
    const cw = new CloudWatchClient({ region: 'us-east-1' });
    const lag = async () =>
      (
        await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(0),
            EndTime: new Date(),
            MetricDataQueries: [
              {
                Id: 'lag',
                MetricStat: {
                  Metric: {
                    Namespace: 'AWS/RDS',
                    MetricName: 'ReplicaLag',
                    Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'lamp-replica' }],
                  },
                  Period: 60,
                  Stat: 'Maximum',
                },
              },
            ],
          }),
        )
      ).MetricDataResults?.[0]?.Values?.[0];
    fake.replicaLagSeconds = 4;
    const before = await lag();

    await fence(eu, 'lamp-primary-params');

    expect([before, await lag()]).toEqual([4, 0]);
  });
});

describe('FakeAws: calls that fail yet take effect', () => {
  it('carries out a call whose answer it then loses, as a connection reset', async () => {
    fake.loseResponses.set('ModifyDBParameterGroup', 1);

    const error: unknown = await fence(eu, 'lamp-primary-params').catch((e: unknown) => e);

    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect(fake.parameterGroup('eu-west-1', 'lamp-primary-params')?.parameters.get('read_only')).toBe('1');
    expect(fake.calls.setWriteFence).toBe(1);
    expect(fake.lostResponses).toEqual(['ModifyDBParameterGroup']);
    await expect(fence(eu, 'lamp-primary-params')).resolves.toMatchObject({ DBParameterGroupName: 'lamp-primary-params' });
  });

  it('counts every mutating call once in mutations(), and no read', async () => {
    await seen(eu, 'lamp-primary');
    await replicaOfPrimary('lamp-y');
    await fence(eu, 'lamp-primary-params');
    await eu.send(new ResetDBParameterGroupCommand({ DBParameterGroupName: 'lamp-primary-params', ResetAllParameters: true }));
    await eu.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'lamp-primary',
        NewDBInstanceIdentifier: 'x',
        DBParameterGroupName: 'lamp-primary-retired',
        ApplyImmediately: true,
      }),
    );
    await us.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-replica' }));

    expect(fake.mutations()).toBe(5);
  });
});
