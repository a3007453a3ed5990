import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CopyDBClusterSnapshotCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  RDSClient,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
  type DBCluster,
  type GlobalCluster,
} from '@aws-sdk/client-rds';
import { parseConfig, referenceAuroraConfig } from '@dr/failover-core';
import { isNotReady, isOperationRejected, isResourceNotFound } from '@dr/failover-core/errors';
import { awsError } from '@dr/aws-fakes';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AuroraDatabase, AuroraGlobalDatabase, CloudWatchMetrics, createAwsPorts, NoGlobalDatabase } from '../../src/index.js';
import { config as rdsConfig, fastPolicy } from '../fixtures.js';

const rds = mockClient(RDSClient);
const cw = mockClient(CloudWatchClient);
afterEach(() => {
  rds.reset();
  cw.reset();
});

const config = parseConfig(referenceAuroraConfig);
const NOW = Date.UTC(2026, 10, 25, 12, 0);
const policy = fastPolicy();
const metrics = new CloudWatchMetrics({ clientConfig: {}, policy, now: () => NOW });
const database = new AuroraDatabase({
  clientConfig: {},
  metrics,
  regions: [config.primary, config.secondary],
  policy,
  globalClusterIdentifier: 'lamp-global',
  engineVersion: '8.0.mysql_aurora.3.08.0',
});
const global = new AuroraGlobalDatabase({ clientConfig: {}, policy });
const secondaryDb = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-secondary-1' };
const PRIMARY = 'arn:aws:rds:eu-west-1:123456789012:cluster:lamp-primary';
const SECONDARY = 'arn:aws:rds:us-east-1:123456789012:cluster:lamp-secondary';
const target = { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary' };

const cluster = (apply = 'in-sync', extra: DBCluster = {}) => ({
  DBClusters: [
    {
      DBClusterIdentifier: 'lamp-secondary',
      DBClusterArn: SECONDARY,
      Status: 'available',
      DBClusterParameterGroup: 'lamp-secondary-cluster-params',
      BackupRetentionPeriod: 7,
      DBClusterMembers: [{ DBInstanceIdentifier: 'lamp-secondary-1', IsClusterWriter: false, DBClusterParameterGroupStatus: apply }],
      ...extra,
    },
  ],
});
const globalCluster = (writer: string, extra: GlobalCluster = {}): { GlobalClusters: GlobalCluster[] } => ({
  GlobalClusters: [
    {
      GlobalClusterIdentifier: 'lamp-global',
      Status: 'available',
      EngineVersion: '8.0.mysql_aurora.3.08.0',
      GlobalClusterMembers: [
        { DBClusterArn: PRIMARY, IsWriter: writer === PRIMARY, SynchronizationStatus: 'connected' },
        { DBClusterArn: SECONDARY, IsWriter: writer === SECONDARY, SynchronizationStatus: 'connected' },
      ],
      ...extra,
    },
  ],
});
const secondaryWorld = (readOnly?: string) => {
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [{ DBInstanceIdentifier: 'lamp-secondary-1', DBClusterIdentifier: 'lamp-secondary', DBInstanceStatus: 'available' }],
  });
  rds.on(DescribeDBClustersCommand).resolves(cluster());
  rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(PRIMARY));
  rds
    .on(DescribeDBClusterParametersCommand)
    .resolves({ Parameters: readOnly ? [{ ParameterName: 'read_only', ParameterValue: readOnly }] : [] });
};

describe('AuroraDatabase', () => {
  it('answers for the instance with its cluster: a secondary member is a replica whose lag is the global lag metric in seconds', async () => {
    secondaryWorld();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Timestamps: [new Date(NOW - 60_000)], Values: [1500] }] });

    const status = await database.describe(secondaryDb);

    expect(status).toMatchObject({
      exists: true,
      role: 'replica',
      status: 'available',
      sourceIdentifier: PRIMARY,
      writable: false,
      writeFenced: false,
      replicaLagSeconds: 1.5,
      replicaLagAt: NOW - 60_000,
      replicating: true,
      readOnly: 'default',
      parameterGroup: { name: 'lamp-secondary-cluster-params', applyStatus: 'in-sync' },
      backupRetentionDays: 7,
    });
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [
        expect.objectContaining({
          MetricStat: expect.objectContaining({
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBRPOLag',
              Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'lamp-secondary' }],
            },
          }),
        }),
      ],
    });
  });

  it('counts the writer cluster writable only with its group in-sync, and reads no lag for it', async () => {
    secondaryWorld();
    rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(SECONDARY));
    // Once its cluster is the writer, the instance is the cluster's writer.
    const writer = (apply: string) => ({
      DBClusterMembers: [{ DBInstanceIdentifier: 'lamp-secondary-1', IsClusterWriter: true, DBClusterParameterGroupStatus: apply }],
    });
    rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce(cluster('applying', writer('applying')))
      .resolves(cluster('in-sync', writer('in-sync')));

    expect(await database.describe(secondaryDb)).toMatchObject({ role: 'primary', writable: false, replicaLagSeconds: undefined });
    expect(await database.describe(secondaryDb)).toMatchObject({ role: 'primary', writable: true });
    expect(cw).not.toHaveReceivedCommand(GetMetricDataCommand);
  });

  it('never reports a secondary writable when the global database cannot be found: its cluster has no writer instance', async () => {
    secondaryWorld();
    rds.on(DescribeGlobalClustersCommand).rejects(awsError('GlobalClusterNotFoundFault', 'no such global cluster', 404));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    expect(await database.describe(secondaryDb)).toMatchObject({ role: 'replica', writable: false, replicaLagSeconds: undefined });
  });

  it('reports a missing instance as not there', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'gone', 404));
    expect(await database.describe(secondaryDb)).toMatchObject({ exists: false });
  });

  it('fences through the region cluster parameter group, and sends nothing when the fence is already there', async () => {
    secondaryWorld();
    await database.setWriteFence(secondaryDb, true);
    expect(rds).toHaveReceivedCommandWith(ModifyDBClusterParameterGroupCommand, {
      DBClusterParameterGroupName: 'lamp-secondary-cluster-params',
      Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
    });
    rds.on(DescribeDBClusterParametersCommand).resolves({ Parameters: [{ ParameterName: 'read_only', ParameterValue: '1' }] });
    await database.setWriteFence(secondaryDb, true);
    await database.setWriteFence(secondaryDb, false);
    expect(rds).toHaveReceivedCommandTimes(ModifyDBClusterParameterGroupCommand, 1);
    expect(rds).toHaveReceivedCommandWith(ResetDBClusterParameterGroupCommand, {
      Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }],
    });
  });

  it('refuses to fence a cluster that does not use the region group, and the calls of the RDS replica tier', async () => {
    secondaryWorld();
    rds.on(DescribeDBClustersCommand).resolves(cluster('in-sync', { DBClusterParameterGroup: 'shared' }));
    const refused = await database.setWriteFence(secondaryDb, true).catch((e: unknown) => e);
    expect(isOperationRejected(refused)).toBe(true);
    expect((refused as Error).message).toContain('uses shared');
    for (const call of [
      database.promoteReplica(secondaryDb),
      database.rebootInstance(secondaryDb),
      database.setBackupRetention(secondaryDb),
    ])
      await expect(call).rejects.toThrow(/not a call of database.tier aurora-global/);
    expect(rds).not.toHaveReceivedCommand(ModifyDBClusterParameterGroupCommand);
  });
});

describe('AuroraGlobalDatabase', () => {
  it('reads members and the failover state by region from their ARNs', async () => {
    rds.on(DescribeGlobalClustersCommand).resolves(
      globalCluster(PRIMARY, {
        FailoverState: { Status: 'failing-over', FromDbClusterArn: PRIMARY, ToDbClusterArn: SECONDARY, IsDataLossAllowed: true },
      }),
    );
    expect(await global.describe('lamp-global', 'us-east-1')).toEqual({
      exists: true,
      status: 'available',
      engineVersion: '8.0.mysql_aurora.3.08.0',
      members: [
        { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary', isWriter: true, synchronizationStatus: 'connected' },
        { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary', isWriter: false, synchronizationStatus: 'connected' },
      ],
      failoverState: { status: 'failing-over', fromRegion: 'eu-west-1', toRegion: 'us-east-1', isDataLossAllowed: true },
    });
    rds.on(DescribeGlobalClustersCommand).rejects(awsError('GlobalClusterNotFoundFault', 'no', 404));
    expect(await global.describe('lamp-global', 'us-east-1')).toMatchObject({ exists: false });
  });

  it('fails over in the target region by the target ARN with AllowDataLoss, and not again once the target writes', async () => {
    rds.on(DescribeGlobalClustersCommand).resolvesOnce(globalCluster(PRIMARY)).resolves(globalCluster(SECONDARY));
    rds.on(DescribeDBClustersCommand).resolves(cluster());
    rds.on(FailoverGlobalClusterCommand).resolves({});

    await global.failover('lamp-global', target);
    await global.failover('lamp-global', target);

    expect(rds).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 1);
    expect(rds).toHaveReceivedCommandWith(FailoverGlobalClusterCommand, {
      GlobalClusterIdentifier: 'lamp-global',
      TargetDbClusterIdentifier: SECONDARY,
      AllowDataLoss: true,
    });
    expect(await rds.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it('takes a refusal as success when a fresh describe shows our operation under way, and as not yet otherwise', async () => {
    const inProgress = globalCluster(PRIMARY, {
      FailoverState: { Status: 'pending', FromDbClusterArn: PRIMARY, ToDbClusterArn: SECONDARY, IsDataLossAllowed: false },
    });
    rds.on(DescribeGlobalClustersCommand).resolvesOnce(globalCluster(PRIMARY)).resolves(inProgress);
    rds.on(DescribeDBClustersCommand).resolves(cluster());
    rds.on(SwitchoverGlobalClusterCommand).rejects(awsError('InvalidGlobalClusterStateFault', 'busy'));
    await global.switchover('lamp-global', target);

    rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(PRIMARY));
    const later = await global.switchover('lamp-global', target).catch((e: unknown) => e);
    expect(isNotReady(later)).toBe(true);
  });

  it('refuses a headless target and a cluster that is not a member, and maps a missing cluster', async () => {
    rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(PRIMARY));
    rds.on(DescribeDBClustersCommand).resolves(cluster('in-sync', { DBClusterMembers: [] }));
    await expect(global.failover('lamp-global', target)).rejects.toThrow(/headless/);
    await expect(global.failover('lamp-global', { region: 'us-east-1', dbClusterIdentifier: 'other' })).rejects.toThrow(/not a member/);
    rds.on(DescribeDBClustersCommand).rejects(awsError('DBClusterNotFoundFault', 'no', 404));
    expect(isResourceNotFound(await global.failover('lamp-global', target).catch((e: unknown) => e))).toBe(true);
    expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
  });

  it('finds the newest system snapshot of the old volume and the copy, and copies idempotently', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        {
          DBClusterSnapshotIdentifier: 'rds:unplanned-global-failover-lamp-primary-2026-01-01-00-00',
          Status: 'available',
          SnapshotCreateTime: new Date(1),
        },
        {
          DBClusterSnapshotIdentifier: 'rds:unplanned-global-failover-lamp-primary-2026-02-01-00-00',
          Status: 'available',
          SnapshotCreateTime: new Date(2),
        },
        { DBClusterSnapshotIdentifier: 'rds:lamp-primary-2026-02-01-00-00', Status: 'available', SnapshotCreateTime: new Date(3) },
        { DBClusterSnapshotIdentifier: 'keep-1', Status: 'creating', SnapshotCreateTime: new Date(2) },
      ],
    });
    expect(await global.failoverSnapshot({ region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' }, 'Keep-1')).toEqual({
      source: { id: 'rds:unplanned-global-failover-lamp-primary-2026-02-01-00-00', status: 'available', createdAt: 2 },
      copy: { id: 'keep-1', status: 'creating', createdAt: 2 },
    });
    rds.on(CopyDBClusterSnapshotCommand).rejects(awsError('DBClusterSnapshotAlreadyExistsFault', 'exists'));
    await global.keepSnapshot({ region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' }, 'rds:x', 'keep-1');
    rds.on(CopyDBClusterSnapshotCommand).rejects(awsError('InvalidDBClusterSnapshotStateFault', 'creating'));
    expect(
      isNotReady(
        await global.keepSnapshot({ region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' }, 'rds:x', 'keep-1').catch((e: unknown) => e),
      ),
    ).toBe(true);
  });
});

describe('createAwsPorts by data tier', () => {
  it('answers the Aurora tier with the Aurora adapters, and refuses global calls on the RDS tier', async () => {
    expect(createAwsPorts(config).database).toBeInstanceOf(AuroraDatabase);
    expect(createAwsPorts(config).globalDatabase).toBeInstanceOf(AuroraGlobalDatabase);
    const onRds = createAwsPorts(rdsConfig).globalDatabase;
    expect(onRds).toBeInstanceOf(NoGlobalDatabase);
    await expect(onRds.describe('lamp-global', 'us-east-1')).rejects.toThrow(/database.tier is rds-replica/);
  });
});
