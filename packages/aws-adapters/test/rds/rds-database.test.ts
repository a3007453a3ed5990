import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { isNotReady, isOperationRejected, isRetryable, mayHaveLanded } from '@dr/failover-core';
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

const replica = (status = 'available'): { DBInstances: DBInstance[] } => ({
  DBInstances: [{ DBInstanceIdentifier: 'lamp-replica', DBInstanceArn: REPLICA_DB_ARN, DBInstanceStatus: status, ReadReplicaSourceDBInstanceIdentifier: PRIMARY_DB_ARN }],
});
const promoted = (status = 'available'): { DBInstances: DBInstance[] } => ({ DBInstances: [{ DBInstanceIdentifier: 'lamp-replica', DBInstanceArn: REPLICA_DB_ARN, DBInstanceStatus: status }] });
const lag = (...points: [number, number][]) => ({
  MetricDataResults: [{ Id: 'lag', Timestamps: points.map(([minutesAgo]) => new Date(NOW - minutesAgo * 60_000)), Values: points.map(([, v]) => v) }],
});

describe('RdsDatabase.describe', () => {
  it('reports a replica with its lag from CloudWatch', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(replica());
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
    });
    const query = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({ Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'lamp-replica' }] });
  });

  it('keeps the lag at the moment replication stopped when RDS has since reported -1', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());
    cw.on(GetMetricDataCommand).resolvesOnce({ ...lag([0, -1], [1, -1]), NextToken: 'p2' }).resolvesOnce({ ...lag([2, -1]), NextToken: 'p3' }).resolves(lag([3, 7], [4, 2]));

    expect(await database.describe(replicaRef)).toMatchObject({ replicaLagSeconds: 7, replicating: false });
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2', 'p3']);
  });

  it('reports a missing instance as not existing', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'DBInstance lamp-replica not found', 404));

    expect(await database.describe(replicaRef)).toMatchObject({ exists: false, writable: false });
  });

  it('reads the write fence from the parameter group, through every page', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'lamp-primary', DBInstanceStatus: 'available' }] });
    rds
      .on(DescribeDBParametersCommand)
      .resolvesOnce({ Parameters: [{ ParameterName: 'max_connections', ParameterValue: '200' }], Marker: 'm2' })
      .resolvesOnce({ Parameters: [{ ParameterName: 'time_zone', ParameterValue: 'UTC' }], Marker: 'm3' })
      .resolves({ Parameters: [{ ParameterName: 'read_only', ParameterValue: '1' }] });

    const status = await database.describe(primaryRef);

    expect(status).toMatchObject({ role: 'primary', writeFenced: true, writable: false });
    expect(rds.commandCalls(DescribeDBParametersCommand).map((c) => c.args[0].input)).toEqual([
      { DBParameterGroupName: 'lamp-mysql8', Source: 'user', Marker: undefined },
      { DBParameterGroupName: 'lamp-mysql8', Source: 'user', Marker: 'm2' },
      { DBParameterGroupName: 'lamp-mysql8', Source: 'user', Marker: 'm3' },
    ]);
  });
});

describe('RdsDatabase.promoteReplica', () => {
  it('sends PromoteReadReplica for the replica', async () => {
    rds.on(PromoteReadReplicaCommand).resolves({});

    await database.promoteReplica(replicaRef);

    expect(rds).toHaveReceivedCommandOnce(PromoteReadReplicaCommand);
    expect(rds).toHaveReceivedCommandWith(PromoteReadReplicaCommand, { DBInstanceIdentifier: 'lamp-replica' });
  });

  it('takes InvalidDBInstanceState on an instance already promoted as success', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.'));
    rds.on(DescribeDBInstancesCommand).resolves(promoted());

    await expect(database.promoteReplica(replicaRef)).resolves.toBeUndefined();
  });

  it.each(['available', 'modifying', 'backing-up'])('says "not yet" when a replica still %s refuses promotion, so it is retried and not assumed lost', async (status) => {
    rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault'));
    rds.on(DescribeDBInstancesCommand).resolves(replica(status));

    const error = await database.promoteReplica(replicaRef).catch((e: unknown) => e);

    expect(isNotReady(error)).toBe(true);
    expect(isRetryable(error) && mayHaveLanded(error)).toBe(true);
  });

  it('refuses when the instance is gone', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(awsError('InvalidDBInstanceStateFault'));
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault'));

    await expect(database.promoteReplica(replicaRef)).rejects.toSatisfy(isOperationRejected);
  });

  it('keeps the promotion waiter race visible: right after the call the replica still reports available', async () => {
    rds.on(PromoteReadReplicaCommand).resolves({});
    rds.on(DescribeDBInstancesCommand).resolvesOnce(replica()).resolvesOnce(replica('modifying')).resolves(promoted());
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'read_only', ParameterValue: '0' }] });
    cw.on(GetMetricDataCommand).resolves(lag([1, 1]));

    await database.promoteReplica(replicaRef);
    const seen = [await database.describe(replicaRef), await database.describe(replicaRef), await database.describe(replicaRef)];

    expect(seen.map((s) => `${s.role}/${s.status}/${s.writable}`)).toEqual(['replica/available/false', 'replica/modifying/false', 'primary/available/true']);
  });
});

describe('RdsDatabase.createReplica', () => {
  it('creates a cross-region replica from the source ARN with the destination key, subnet group and parameter group', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' }).rejects(awsError('DBInstanceNotFoundFault'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves({ DBInstances: [{ ...promoted().DBInstances[0], StorageEncrypted: true }] });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});

    await database.createReplica(primaryRef, replicaRef);

    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)[0]?.args[0].input).toMatchObject({
      DBInstanceIdentifier: 'lamp-primary',
      SourceDBInstanceIdentifier: REPLICA_DB_ARN,
      KmsKeyId: config.primary.dbKmsKeyArn,
      DBSubnetGroupName: 'lamp-db-eu',
      VpcSecurityGroupIds: ['sg-0123456789abcdef0'],
      DBParameterGroupName: 'lamp-mysql8',
    });
  });

  it('names the source by identifier and sends no KMS key for a replica in the same region', async () => {
    const sameRegion = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-reporting' };
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-reporting' }).rejects(awsError('DBInstanceNotFoundFault'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves({ DBInstances: [{ ...promoted().DBInstances[0], StorageEncrypted: true }] });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});

    await database.createReplica(sameRegion, replicaRef);

    const input = rds.commandCalls(CreateDBInstanceReadReplicaCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ DBInstanceIdentifier: 'lamp-reporting', SourceDBInstanceIdentifier: 'lamp-replica' });
    expect(input?.KmsKeyId).toBeUndefined();
  });

  it('takes losing a race to create the same replica as done', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-primary' }).rejects(awsError('DBInstanceNotFoundFault'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' }).resolves(promoted());
    rds.on(CreateDBInstanceReadReplicaCommand).rejects(awsError('DBInstanceAlreadyExistsFault'));

    await expect(database.createReplica(primaryRef, replicaRef)).resolves.toBeUndefined();
  });

  it('does nothing when the replica already exists', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(replica());

    await database.createReplica(replicaRef, primaryRef);

    expect(rds).not.toHaveReceivedCommand(CreateDBInstanceReadReplicaCommand);
  });
});

describe('RdsDatabase.renameInstance and setWriteFence', () => {
  it('renames with ApplyImmediately, and does nothing while a rename is under way', async () => {
    rds.on(DescribeDBInstancesCommand).resolvesOnce(promoted()).resolves(promoted('renaming'));
    rds.on(ModifyDBInstanceCommand).resolves({});

    await database.renameInstance(replicaRef, 'lamp-replica-retired-1');
    await database.renameInstance(replicaRef, 'lamp-replica-retired-1');

    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: 'lamp-replica', NewDBInstanceIdentifier: 'lamp-replica-retired-1', ApplyImmediately: true }]);
  });

  it('fences writes by setting read_only in the parameter group, applied immediately', async () => {
    rds.on(ModifyDBParameterGroupCommand).resolves({});

    await database.setWriteFence(primaryRef, true);

    expect(rds.commandCalls(ModifyDBParameterGroupCommand)[0]?.args[0].input).toEqual({
      DBParameterGroupName: 'lamp-mysql8',
      Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
    });
  });

  it('counts the fence only once the instance has applied the parameter change', async () => {
    const instance = (apply: string) => ({ DBInstances: [{ DBInstanceIdentifier: 'lamp-primary', DBInstanceStatus: 'available', DBParameterGroups: [{ DBParameterGroupName: 'lamp-mysql8', ParameterApplyStatus: apply }] }] });
    rds.on(DescribeDBInstancesCommand).resolvesOnce(instance('applying')).resolves(instance('in-sync'));
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'read_only', ParameterValue: '1' }] });

    expect((await database.describe(primaryRef)).writeFenced).toBe(false);
    expect((await database.describe(primaryRef)).writeFenced).toBe(true);
  });

  it('names a missing parameter group', async () => {
    rds.on(ModifyDBParameterGroupCommand).rejects(awsError('DBParameterGroupNotFoundFault'));

    await expect(database.setWriteFence(primaryRef, true)).rejects.toThrow('DB parameter group lamp-mysql8 was not found in eu-west-1');
  });

  it('refuses to fence writes without a configured parameter group, saying which setting is missing', async () => {
    const bare = new RdsDatabase({ clientConfig: {}, metrics, regions: [], policy });

    await expect(bare.setWriteFence(primaryRef, true)).rejects.toThrow(/no dbParameterGroupName is configured for eu-west-1/);
  });
});
