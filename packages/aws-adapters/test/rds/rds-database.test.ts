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
  type DBInstance,
} from '@aws-sdk/client-rds';
import { isNotReady, isOperationRejected, isResourceNotFound, isRetryable, mayHaveLanded } from '@dr/failover-core/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics, RdsDatabase } from '../../src/index.js';
import { awsError } from '@dr/aws-fakes';
import { config, fastPolicy, PRIMARY_DB_ARN, REPLICA_DB_ARN } from '../fixtures.js';

const rds = mockClient(RDSClient);
const cw = mockClient(CloudWatchClient);
afterEach(() => {
  rds.reset();
  cw.reset();
});

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const policy = fastPolicy();
const metrics = new CloudWatchMetrics({ clientConfig: { region: 'us-east-1' }, policy, now: () => NOW });
const database = new RdsDatabase({ clientConfig: {}, metrics, regions: [config.primary, config.secondary], policy });
const replicaRef = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica' };
const primaryRef = { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary' };

/** DescribeDBInstances' answer for one instance. */
const found = (instance: DBInstance): { DBInstances: DBInstance[] } => ({ DBInstances: [instance] });
const group = (name: string, apply = 'in-sync') => ({ DBParameterGroups: [{ DBParameterGroupName: name, ParameterApplyStatus: apply }] });
const replica = (status = 'available', extra: DBInstance = {}) =>
  found({
    DBInstanceIdentifier: 'lamp-replica',
    DBInstanceArn: REPLICA_DB_ARN,
    DBInstanceStatus: status,
    ReadReplicaSourceDBInstanceIdentifier: PRIMARY_DB_ARN,
    ...group('lamp-replica-params'),
    ...extra,
  });
const promoted = (status = 'available', extra: DBInstance = {}) =>
  found({
    DBInstanceIdentifier: 'lamp-replica',
    DBInstanceArn: REPLICA_DB_ARN,
    DBInstanceStatus: status,
    BackupRetentionPeriod: 7,
    StorageEncrypted: true,
    ...group('lamp-replica-params'),
    ...extra,
  });
const primary = (extra: DBInstance = {}) =>
  found({
    DBInstanceIdentifier: 'lamp-primary',
    DBInstanceArn: PRIMARY_DB_ARN,
    DBInstanceStatus: 'available',
    BackupRetentionPeriod: 7,
    StorageEncrypted: true,
    ...group('lamp-primary-params'),
    ...extra,
  });
/** DescribeDBParameters (Source user) of a group whose read_only is `value` (absent: undefined). */
const readOnly = (value?: string) => ({
  Parameters: value === undefined ? [] : [{ ParameterName: 'read_only', ParameterValue: value, Source: 'user' }],
});
const lag = (...points: [number, number][]) => ({
  MetricDataResults: [
    { Id: 'lag', Timestamps: points.map(([minutesAgo]) => new Date(NOW - minutesAgo * 60_000)), Values: points.map(([, v]) => v) },
  ],
});
const inputs = <T extends object>(command: new (input: T) => { input: T }) =>
  rds.commandCalls(command as never).map((c) => (c.args[0] as unknown as { input: T }).input);

describe('RdsDatabase.describe', () => {
  it('reports a replica with its lag from CloudWatch, its own parameter group in sync and its settings', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' })
      .resolves(
        replica('available', { BackupRetentionPeriod: 0, DBInstanceClass: 'db.t3.small', AllocatedStorage: 20, DeletionProtection: false }),
      );
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    cw.on(GetMetricDataCommand).resolves(lag([1, 2.4], [2, 1]));

    const status = await database.describe(replicaRef);

    expect(status).toEqual({
      exists: true,
      status: 'available',
      role: 'replica',
      sourceIdentifier: PRIMARY_DB_ARN,
      writable: false,
      writeFenced: false,
      replicaLagSeconds: 2,
      replicaLagAt: NOW - 60_000,
      replicating: true,
      parameterGroup: { name: 'lamp-replica-params', applyStatus: 'in-sync' },
      readOnly: 'default',
      backupRetentionDays: 0,
      instanceClass: 'db.t3.small',
      allocatedStorageGiB: 20,
      deletionProtection: false,
    });
    const query = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'lamp-replica' }],
    });
  });

  it('keeps the lag at the moment replication stopped when RDS has since reported -1', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ ...lag([0, -1], [1, -1]), NextToken: 'p2' })
      .resolvesOnce({ ...lag([2, -1]), NextToken: 'p3' })
      .resolves(lag([3, 7], [4, 2]));

    expect(await database.describe(replicaRef)).toMatchObject({ replicaLagSeconds: 7, replicating: false });
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2', 'p3']);
  });

  it('reports a missing instance as not existing', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'DBInstance lamp-replica not found', 404));

    expect(await database.describe(replicaRef)).toMatchObject({ exists: false, writable: false });
  });

  it('reads read_only from the group the instance uses, through every page of its user-set parameters', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds
      .on(DescribeDBParametersCommand)
      .resolvesOnce({ Parameters: [{ ParameterName: 'max_connections', ParameterValue: '200' }], Marker: 'm2' })
      .resolvesOnce({ Parameters: [{ ParameterName: 'time_zone', ParameterValue: 'UTC' }], Marker: 'm3' })
      .resolves(readOnly('1'));

    const status = await database.describe(primaryRef);

    expect(status).toMatchObject({ role: 'primary', readOnly: 'on', writeFenced: true, writable: false });
    expect(inputs(DescribeDBParametersCommand)).toEqual([
      { DBParameterGroupName: 'lamp-primary-params', Source: 'user', Marker: undefined },
      { DBParameterGroupName: 'lamp-primary-params', Source: 'user', Marker: 'm2' },
      { DBParameterGroupName: 'lamp-primary-params', Source: 'user', Marker: 'm3' },
    ]);
  });

  it.each([
    [undefined, 'default', true, false],
    ['{TrueIfReplica}', 'default', true, false],
    ['1', 'on', false, true],
    ['ON', 'on', false, true],
    ['0', 'off', true, false],
    ['OFF', 'off', true, false],
  ])('reads read_only %s on an in-sync primary as %s (writable %s, fenced %s)', async (value, setting, writable, writeFenced) => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly(value));

    expect(await database.describe(primaryRef)).toMatchObject({ readOnly: setting, writable, writeFenced });
  });

  it('counts the fence only once the instance has applied the change (applying, then in-sync)', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(primary(group('lamp-primary-params', 'applying')))
      .resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly('1'));

    expect((await database.describe(primaryRef)).writeFenced).toBe(false);
    expect((await database.describe(primaryRef)).writeFenced).toBe(true);
  });

  it('counts a lifted fence as writable only once it is applied', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(primary(group('lamp-primary-params', 'applying')))
      .resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());

    expect((await database.describe(primaryRef)).writable).toBe(false);
    expect((await database.describe(primaryRef)).writable).toBe(true);
  });

  it('counts nothing of a group association pending a reboot: the instance still runs with its old values', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary(group('lamp-primary-retired', 'pending-reboot')));
    rds.on(DescribeDBParametersCommand).resolves(readOnly('1'));

    expect(await database.describe(primaryRef)).toMatchObject({
      parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'pending-reboot' },
      readOnly: 'on',
      writeFenced: false,
      writable: false,
    });
    expect(inputs(DescribeDBParametersCommand)[0]?.DBParameterGroupName).toBe('lamp-primary-retired');
  });

  it('never calls a replica writable, even with read_only off', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());
    rds.on(DescribeDBParametersCommand).resolves(readOnly('0'));
    cw.on(GetMetricDataCommand).resolves(lag([1, 1]));

    expect(await database.describe(replicaRef)).toMatchObject({ role: 'replica', readOnly: 'off', writable: false });
  });

  it('does not call a primary writable while it is not available', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary({ DBInstanceStatus: 'rebooting' }));
    rds.on(DescribeDBParametersCommand).resolves(readOnly());

    expect(await database.describe(primaryRef)).toMatchObject({ status: 'rebooting', writable: false });
  });
});

describe('RdsDatabase.setWriteFence', () => {
  it("fences writes by setting read_only to 1 in the instance's own parameter group, applied immediately", async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    rds.on(ModifyDBParameterGroupCommand).resolves({ DBParameterGroupName: 'lamp-primary-params' });

    await database.setWriteFence(primaryRef, true);

    expect(inputs(ModifyDBParameterGroupCommand)).toEqual([
      {
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
      },
    ]);
    expect(rds).not.toHaveReceivedCommand(ResetDBParameterGroupCommand);
  });

  it('lifts the fence by resetting read_only to the engine default {TrueIfReplica}', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());
    rds.on(DescribeDBParametersCommand).resolves(readOnly('1'));
    rds.on(ResetDBParameterGroupCommand).resolves({ DBParameterGroupName: 'lamp-replica-params' });

    await database.setWriteFence(replicaRef, false);

    expect(inputs(ResetDBParameterGroupCommand)).toEqual([
      { DBParameterGroupName: 'lamp-replica-params', Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }] },
    ]);
    expect(rds).not.toHaveReceivedCommand(ModifyDBParameterGroupCommand);
  });

  it('refuses an instance that uses another group (a default one), naming both, and changes nothing', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica('available', group('default.mysql8.4')));

    const error = await database.setWriteFence(replicaRef, true).catch((e: unknown) => e);

    expect(isOperationRejected(error)).toBe(true);
    expect((error as Error).message).toMatch(/lamp-replica-params.*default\.mysql8\.4/);
    expect(rds).not.toHaveReceivedCommand(ModifyDBParameterGroupCommand);
    expect(rds).not.toHaveReceivedCommand(ResetDBParameterGroupCommand);
  });

  it.each([
    [true, '1'],
    [false, undefined],
  ])('sends nothing when the group already has the setting (fenced %s)', async (fenced, value) => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly(value));

    await database.setWriteFence(primaryRef, fenced);

    expect(rds).not.toHaveReceivedCommand(ModifyDBParameterGroupCommand);
    expect(rds).not.toHaveReceivedCommand(ResetDBParameterGroupCommand);
  });

  it('says "not yet" when RDS finds the parameter group busy (InvalidDBParameterGroupState)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    rds
      .on(ModifyDBParameterGroupCommand)
      .rejects(awsError('InvalidDBParameterGroupStateFault', 'The DB parameter group is in use or is in an invalid state.'));

    const error = await database.setWriteFence(primaryRef, true).catch((e: unknown) => e);

    expect(isNotReady(error) && isRetryable(error)).toBe(true);
  });

  it('refuses a default group that RDS will not modify, as a rejection', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    rds.on(ModifyDBParameterGroupCommand).rejects(awsError('InvalidParameterValue', 'Cannot modify a default parameter group.'));

    await expect(database.setWriteFence(primaryRef, true)).rejects.toSatisfy(isOperationRejected);
  });

  it('names a missing parameter group', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds
      .on(DescribeDBParametersCommand)
      .rejects(awsError('DBParameterGroupNotFoundFault', 'DBParameterGroup not found: lamp-primary-params', 404));

    await expect(database.setWriteFence(primaryRef, true)).rejects.toThrow(
      'DB parameter group lamp-primary-params was not found in eu-west-1',
    );
  });

  it('names a missing instance', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'DBInstance lamp-primary not found.', 404));

    await expect(database.setWriteFence(primaryRef, true)).rejects.toSatisfy(isResourceNotFound);
  });

  it('refuses to fence writes without a configured parameter group, saying which setting is missing', async () => {
    const bare = new RdsDatabase({ clientConfig: {}, metrics, regions: [], policy });

    await expect(bare.setWriteFence(primaryRef, true)).rejects.toThrow(/no dbParameterGroupName is configured for eu-west-1/);
  });
});

describe('RdsDatabase.promoteReplica', () => {
  it('sends PromoteReadReplica for the replica', async () => {
    rds.on(PromoteReadReplicaCommand).resolves({});

    await database.promoteReplica(replicaRef);

    expect(rds).toHaveReceivedCommandOnce(PromoteReadReplicaCommand);
    expect(inputs(PromoteReadReplicaCommand)).toEqual([{ DBInstanceIdentifier: 'lamp-replica', BackupRetentionPeriod: undefined }]);
  });

  it('turns on automated backups with the retention it is given', async () => {
    rds.on(PromoteReadReplicaCommand).resolves({});

    await database.promoteReplica(replicaRef, { backupRetentionDays: 7 });

    expect(rds).toHaveReceivedCommandWith(PromoteReadReplicaCommand, { DBInstanceIdentifier: 'lamp-replica', BackupRetentionPeriod: 7 });
  });

  it('takes InvalidDBInstanceState on an instance already promoted as success', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.'));
    rds.on(DescribeDBInstancesCommand).resolves(promoted());

    await expect(database.promoteReplica(replicaRef)).resolves.toBeUndefined();
  });

  it.each(['available', 'modifying', 'backing-up'])(
    'says "not yet" when a replica still %s refuses promotion, so it is retried and not assumed lost',
    async (status) => {
      rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault'));
      rds.on(DescribeDBInstancesCommand).resolves(replica(status));

      const error = await database.promoteReplica(replicaRef).catch((e: unknown) => e);

      expect(isNotReady(error)).toBe(true);
      expect(isRetryable(error) && mayHaveLanded(error)).toBe(true);
    },
  );

  it('refuses when the instance is gone', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault'));
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault'));

    await expect(database.promoteReplica(replicaRef)).rejects.toSatisfy(isOperationRejected);
  });

  it('keeps the promotion waiter race visible: right after the call the replica still reports available', async () => {
    rds.on(PromoteReadReplicaCommand).resolves({});
    rds.on(DescribeDBInstancesCommand).resolvesOnce(replica()).resolvesOnce(replica('modifying')).resolves(promoted());
    rds.on(DescribeDBParametersCommand).resolves(readOnly());
    cw.on(GetMetricDataCommand).resolves(lag([1, 1]));

    await database.promoteReplica(replicaRef);
    const seen = [await database.describe(replicaRef), await database.describe(replicaRef), await database.describe(replicaRef)];

    expect(seen.map((s) => `${s.role}/${s.status}/${s.writable}`)).toEqual([
      'replica/available/false',
      'replica/modifying/false',
      'primary/available/true',
    ]);
  });
});

describe('RdsDatabase.createReplica', () => {
  it('creates a cross-region replica with every setting of the target region', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});

    await database.createReplica(primaryRef, replicaRef);

    expect(inputs(CreateDBInstanceReadReplicaCommand)).toEqual([
      {
        DBInstanceIdentifier: 'lamp-primary',
        SourceDBInstanceIdentifier: REPLICA_DB_ARN,
        KmsKeyId: config.primary.dbKmsKeyArn,
        DBParameterGroupName: 'lamp-primary-params',
        DBSubnetGroupName: 'lamp-primary-subnets',
        VpcSecurityGroupIds: ['sg-0123456789abcdef0'],
        DBInstanceClass: 'db.t3.small',
        StorageType: 'gp2',
        MultiAZ: false,
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['error', 'slowquery'],
        CopyTagsToSnapshot: true,
        AutoMinorVersionUpgrade: true,
        PubliclyAccessible: false,
        Tags: [
          { Key: 'app', Value: 'lamp' },
          { Key: 'dr:source', Value: REPLICA_DB_ARN },
        ],
      },
    ]);
  });

  it('names the source by identifier and sends no key, parameter group or subnet group for a replica in the same region', async () => {
    const sameRegion = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-reporting' };
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-reporting' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});

    await database.createReplica(sameRegion, replicaRef);

    const input = inputs(CreateDBInstanceReadReplicaCommand)[0];
    expect(input).toMatchObject({ DBInstanceIdentifier: 'lamp-reporting', SourceDBInstanceIdentifier: 'lamp-replica' });
    expect([input?.KmsKeyId, input?.DBParameterGroupName, input?.DBSubnetGroupName]).toEqual([undefined, undefined, undefined]);
  });

  it('takes losing a race to create the same replica as done', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());
    rds.on(CreateDBInstanceReadReplicaCommand).rejects(awsError('DBInstanceAlreadyExistsFault'));

    await expect(database.createReplica(primaryRef, replicaRef)).resolves.toBeUndefined();
  });

  it('does nothing when the replica already exists', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());

    await database.createReplica(replicaRef, primaryRef);

    expect(rds).not.toHaveReceivedCommand(CreateDBInstanceReadReplicaCommand);
  });

  it('refuses a source with automated backups off, which RDS cannot replicate, and sends nothing', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' })
      .resolves(promoted('available', { BackupRetentionPeriod: 0 }));

    await expect(database.createReplica(primaryRef, replicaRef)).rejects.toThrow(/lamp-replica has automated backups off/);
    expect(rds).not.toHaveReceivedCommand(CreateDBInstanceReadReplicaCommand);
  });

  it('refuses an encrypted source when the target region has no KMS key configured', async () => {
    const keyless = new RdsDatabase({
      clientConfig: {},
      metrics,
      regions: [{ ...config.primary, dbKmsKeyArn: undefined }, config.secondary],
      policy,
    });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());

    await expect(keyless.createReplica(primaryRef, replicaRef)).rejects.toThrow(/encrypted and no dbKmsKeyArn is configured for eu-west-1/);
  });

  it('refuses without a parameter group for the target region, since RDS would give it the default group', async () => {
    const bare = new RdsDatabase({ clientConfig: {}, metrics, regions: [{ region: 'eu-west-1' }], policy });
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));

    await expect(bare.createReplica(primaryRef, replicaRef)).rejects.toThrow(/no dbParameterGroupName is configured for eu-west-1/);
  });

  it('says "not yet" when the source is busy (InvalidDBInstanceState)', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());
    rds.on(CreateDBInstanceReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault', 'DB instance is not in available state.'));

    await expect(database.createReplica(primaryRef, replicaRef)).rejects.toSatisfy(isNotReady);
  });
});

describe('RdsDatabase.retireInstance', () => {
  const retiredRef = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica-retired-1' };

  it("renames the instance and moves it to the region's retired group in one call, applied immediately", async () => {
    rds.on(DescribeDBInstancesCommand).resolves(promoted());
    rds.on(ModifyDBInstanceCommand).resolves({});

    await database.retireInstance(replicaRef, 'lamp-replica-retired-1');

    expect(inputs(ModifyDBInstanceCommand)).toEqual([
      {
        DBInstanceIdentifier: 'lamp-replica',
        NewDBInstanceIdentifier: 'lamp-replica-retired-1',
        DBParameterGroupName: 'lamp-replica-retired',
        ApplyImmediately: true,
      },
    ]);
  });

  it('does nothing while a rename is under way', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(promoted('renaming'));

    await database.retireInstance(replicaRef, 'lamp-replica-retired-1');

    expect(rds).not.toHaveReceivedCommand(ModifyDBInstanceCommand);
  });

  it('succeeds without a call when the instance is already renamed and in the retired group', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica-retired-1' })
      .resolves(
        promoted('available', { DBInstanceIdentifier: 'lamp-replica-retired-1', ...group('lamp-replica-retired', 'pending-reboot') }),
      );

    await database.retireInstance(replicaRef, 'lamp-replica-retired-1');

    expect(rds).not.toHaveReceivedCommand(ModifyDBInstanceCommand);
  });

  it('moves an instance renamed some other way to the retired group', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' })
      .rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica-retired-1' })
      .resolves(promoted('available', { DBInstanceIdentifier: 'lamp-replica-retired-1' }));
    rds.on(ModifyDBInstanceCommand).resolves({});

    await database.retireInstance(replicaRef, 'lamp-replica-retired-1');

    expect(inputs(ModifyDBInstanceCommand)).toEqual([
      { DBInstanceIdentifier: retiredRef.dbInstanceIdentifier, DBParameterGroupName: 'lamp-replica-retired', ApplyImmediately: true },
    ]);
  });

  it('refuses, naming the setting, when no retired group is configured for the region', async () => {
    const bare = new RdsDatabase({
      clientConfig: {},
      metrics,
      regions: [{ ...config.secondary, retiredDbParameterGroupName: undefined }],
      policy,
    });

    await expect(bare.retireInstance(replicaRef, 'lamp-replica-retired-1')).rejects.toThrow(
      /no retiredDbParameterGroupName is configured for us-east-1/,
    );
    expect(rds).not.toHaveReceivedCommand(ModifyDBInstanceCommand);
  });

  it('refuses when neither the instance nor its new name exists', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));

    await expect(database.retireInstance(replicaRef, 'lamp-replica-retired-1')).rejects.toSatisfy(isOperationRejected);
  });

  it('says "not yet" for a busy instance, and rejects a new name another instance holds', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(promoted());
    rds
      .on(ModifyDBInstanceCommand)
      .rejectsOnce(awsError('InvalidDBInstanceStateFault', 'DB instance is not in available state.'))
      .rejects(awsError('DBInstanceAlreadyExistsFault', 'DB instance already exists'));

    await expect(database.retireInstance(replicaRef, 'lamp-replica-retired-1')).rejects.toSatisfy(isNotReady);
    await expect(database.retireInstance(replicaRef, 'lamp-replica-retired-1')).rejects.toSatisfy(isOperationRejected);
  });
});

describe('RdsDatabase.rebootInstance', () => {
  it('sends RebootDBInstance', async () => {
    rds.on(RebootDBInstanceCommand).resolves({});

    await database.rebootInstance(replicaRef);

    expect(inputs(RebootDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'lamp-replica' }]);
  });

  it('says "not yet" for an instance that is not available (InvalidDBInstanceState)', async () => {
    rds.on(RebootDBInstanceCommand).rejects(awsError('InvalidDBInstanceStateFault', 'DB instance is not in available state.'));

    const error = await database.rebootInstance(replicaRef).catch((e: unknown) => e);

    expect(isNotReady(error) && isRetryable(error)).toBe(true);
  });

  it('names a missing instance', async () => {
    rds.on(RebootDBInstanceCommand).rejects(awsError('DBInstanceNotFoundFault', 'not found', 404));

    await expect(database.rebootInstance(replicaRef)).rejects.toThrow('RDS instance lamp-replica was not found in us-east-1');
  });
});

describe('RdsDatabase.setBackupRetention', () => {
  it('sets the retention, applied immediately', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(promoted('available', { BackupRetentionPeriod: 0 }));
    rds.on(ModifyDBInstanceCommand).resolves({});

    await database.setBackupRetention(replicaRef, 7);

    expect(inputs(ModifyDBInstanceCommand)).toEqual([
      { DBInstanceIdentifier: 'lamp-replica', BackupRetentionPeriod: 7, ApplyImmediately: true },
    ]);
  });

  it('sends nothing when the instance already has that retention (RDS refuses a request that changes nothing)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(promoted('available', { BackupRetentionPeriod: 7 }));

    await database.setBackupRetention(replicaRef, 7);

    expect(rds).not.toHaveReceivedCommand(ModifyDBInstanceCommand);
  });

  it('says "not yet" for a busy instance and rejects what RDS will never accept (0 on a source of replicas)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(primary());
    rds
      .on(ModifyDBInstanceCommand)
      .rejectsOnce(awsError('InvalidDBInstanceStateFault', 'DB instance is not in available state.'))
      .rejects(
        awsError('InvalidParameterCombination', 'Cannot set backup retention to 0 on a DB instance that is a source of read replicas.'),
      );

    await expect(database.setBackupRetention(primaryRef, 0)).rejects.toSatisfy(isNotReady);
    await expect(database.setBackupRetention(primaryRef, 0)).rejects.toSatisfy(isOperationRejected);
  });
});

describe('RdsDatabase.listInstances', () => {
  it('pages through every instance of the region and keeps those whose identifier has the prefix', async () => {
    const created = new Date(Date.UTC(2026, 10, 1));
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({
        DBInstances: [
          { DBInstanceIdentifier: 'lamp-replica', DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: PRIMARY_DB_ARN },
        ],
        Marker: 'm2',
      })
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'lamp-replica-retired-failback1',
            DBInstanceStatus: 'available',
            DBInstanceClass: 'db.t3.small',
            AllocatedStorage: 20,
            StorageType: 'gp2',
            MultiAZ: false,
            DeletionProtection: true,
            InstanceCreateTime: created,
            ...group('lamp-replica-retired'),
          },
          { DBInstanceIdentifier: 'other-app-db', DBInstanceStatus: 'available' },
        ],
      });

    const listed = await database.listInstances('us-east-1', 'lamp-replica-retired-');

    expect(listed).toEqual([
      {
        region: 'us-east-1',
        dbInstanceIdentifier: 'lamp-replica-retired-failback1',
        status: 'available',
        role: 'primary',
        instanceClass: 'db.t3.small',
        allocatedStorageGiB: 20,
        storageType: 'gp2',
        multiAz: false,
        deletionProtection: true,
        parameterGroupName: 'lamp-replica-retired',
        createdAt: created.getTime(),
      },
    ]);
    expect(inputs(DescribeDBInstancesCommand)).toEqual([{ Marker: undefined }, { Marker: 'm2' }]);
  });
});
