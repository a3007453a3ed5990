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
} from '@aws-sdk/client-rds';
import { parseConfig, referenceAuroraConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, ROUTE_AUTHORIZATIONS } from '../src/index.js';

// The fake's Aurora tier through this process's SDK clients (aws-sdk-client-mock): real commands, no network.
const config = parseConfig(referenceAuroraConfig);
const eu = new RDSClient({ region: 'eu-west-1' });
const us = new RDSClient({ region: 'us-east-1' });
const PRIMARY = 'arn:aws:rds:eu-west-1:123456789012:cluster:lamp-primary';
const SECONDARY = 'arn:aws:rds:us-east-1:123456789012:cluster:lamp-secondary';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws(config);
});
afterEach(() => fake.restore());

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e.name,
  );
/** One describe of the global cluster: `writer region/failover status/each member's sync`. */
async function globalSeen(client: RDSClient): Promise<string> {
  const g = (await client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'lamp-global' }))).GlobalClusters?.[0];
  const writer = g?.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn?.split(':')[3];
  const sync = g?.GlobalClusterMembers?.map((m) => m.SynchronizationStatus).join('+');
  return `${writer}/${g?.FailoverState?.Status ?? '-'}/${sync}`;
}
const seenTimes = async (client: RDSClient, n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await globalSeen(client));
  return out;
};
const failover = (client: RDSClient, target = SECONDARY) =>
  client.send(
    new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'lamp-global', TargetDbClusterIdentifier: target, AllowDataLoss: true }),
  );
const switchover = (client: RDSClient, target: string) =>
  client.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: 'lamp-global', TargetDbClusterIdentifier: target }));
const lag = async (region: string, cluster: string, metric = 'AuroraGlobalDBRPOLag') => {
  const out = await new CloudWatchClient({ region }).send(
    new GetMetricDataCommand({
      StartTime: new Date(0),
      EndTime: new Date(),
      MetricDataQueries: [
        {
          Id: 'lag',
          MetricStat: {
            Metric: { Namespace: 'AWS/RDS', MetricName: metric, Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }] },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  );
  return out.MetricDataResults?.[0]?.Values;
};

describe('FakeAws on the Aurora tier', () => {
  it('seeds one cluster per region, its instance and its own cluster parameter group, both in the global cluster', async () => {
    const cluster = (await us.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'lamp-secondary' }))).DBClusters?.[0];
    const instance = (await us.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'lamp-secondary-1' }))).DBInstances?.[0];

    expect(cluster).toMatchObject({
      DBClusterArn: SECONDARY,
      Engine: 'aurora-mysql',
      DBClusterParameterGroup: 'lamp-secondary-cluster-params',
      DBClusterMembers: [{ DBInstanceIdentifier: 'lamp-secondary-1', IsClusterWriter: false, DBClusterParameterGroupStatus: 'in-sync' }],
    });
    expect(instance).toMatchObject({
      DBClusterIdentifier: 'lamp-secondary',
      DBParameterGroups: [{ DBParameterGroupName: 'lamp-secondary-instance-params' }],
    });
    expect(await seenTimes(eu, 1)).toEqual(['eu-west-1/-/connected+connected']);
    expect(fake.writable('eu-west-1')).toEqual(['lamp-primary-1']);
    expect(fake.writable('us-east-1')).toEqual([]);
  });

  it('applies a cluster group change to its cluster one describe at a time, and fences the writer once in-sync', async () => {
    await eu.send(
      new ModifyDBClusterParameterGroupCommand({
        DBClusterParameterGroupName: 'lamp-primary-cluster-params',
        Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
      }),
    );
    const statuses: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await eu.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'lamp-primary' }))).DBClusters?.[0]?.DBClusterMembers?.[0]
          ?.DBClusterParameterGroupStatus,
      );

    expect(statuses).toEqual(['applying', 'applying', 'in-sync']);
    expect(fake.auroraDb('eu-west-1', 'lamp-primary-1')).toMatchObject({ readOnlyEffective: true, writable: false });
    const params = await eu.send(
      new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: 'lamp-primary-cluster-params', Source: 'user' }),
    );
    expect(params.Parameters).toEqual([expect.objectContaining({ ParameterName: 'read_only', ParameterValue: '1' })]);
    await eu.send(
      new ResetDBClusterParameterGroupCommand({
        DBClusterParameterGroupName: 'lamp-primary-cluster-params',
        Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }],
      }),
    );
    expect(fake.parameterGroup('eu-west-1', 'lamp-primary-cluster-params')).toBeUndefined();
    expect(fake.aurora.clusterGroup('eu-west-1', 'lamp-primary-cluster-params')?.parameters.size).toBe(0);
  });

  it('fails over from the target region while the primary region is out: unseen, pending, failing-over, then the writer flips', async () => {
    fake.outages.add('eu-west-1');

    await failover(us);

    expect(await seenTimes(us, 5)).toEqual([
      'eu-west-1/-/connected+connected',
      'eu-west-1/pending/connected+connected',
      'eu-west-1/failing-over/connected+connected',
      'eu-west-1/failing-over/connected+connected',
      'us-east-1/-/pending-resync+connected',
    ]);
    expect(fake.writable('us-east-1')).toEqual(['lamp-secondary-1']);
    expect(await rejection(failover(eu))).toBe('Error');
    expect(fake.calls.failoverGlobalCluster).toBe(1);
  });

  it('re-adds the old primary once its region is back, after snapshotting its old volume, and lets a copy of that snapshot be kept', async () => {
    fake.outages.add('eu-west-1');
    await failover(us);
    await seenTimes(us, 5);
    expect(await seenTimes(us, 2)).toEqual(['us-east-1/-/pending-resync+connected', 'us-east-1/-/pending-resync+connected']);
    fake.outages.delete('eu-west-1');

    expect(await seenTimes(us, 4)).toEqual([
      'us-east-1/-/pending-resync+connected',
      'us-east-1/-/pending-resync+connected',
      'us-east-1/-/pending-resync+connected',
      'us-east-1/-/connected+connected',
    ]);
    const snapshots = await eu.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'lamp-primary' }));
    const source = snapshots.DBClusterSnapshots?.[0];
    expect(source?.DBClusterSnapshotIdentifier).toMatch(/^rds:unplanned-global-failover-lamp-primary-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    expect(source?.SnapshotType).toBe('automated');
    expect(
      await rejection(
        eu.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: source!.DBClusterSnapshotIdentifier,
            TargetDBClusterSnapshotIdentifier: 'keep',
          }),
        ),
      ),
    ).toBe('InvalidDBClusterSnapshotStateFault');
    await eu.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'lamp-primary' }));
    await eu.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'lamp-primary' }));
    const copy = {
      SourceDBClusterSnapshotIdentifier: source!.DBClusterSnapshotIdentifier,
      TargetDBClusterSnapshotIdentifier: 'Lamp-Primary-Lost-Writes',
    };
    await eu.send(new CopyDBClusterSnapshotCommand(copy));
    expect(await rejection(eu.send(new CopyDBClusterSnapshotCommand(copy)))).toBe('DBClusterSnapshotAlreadyExistsFault');
    const kept = await eu.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'lamp-primary-lost-writes' }));
    expect(kept.DBClusterSnapshots?.[0]).toMatchObject({
      SnapshotType: 'manual',
      Status: 'creating',
      SnapshotCreateTime: source?.SnapshotCreateTime,
    });
  });

  it('switches over a healthy global database with no resync, and refuses one whose member is out or rebuilding', async () => {
    fake.outages.add('us-east-1');
    expect(await rejection(switchover(eu, SECONDARY))).toBe('InvalidGlobalClusterStateFault');
    fake.outages.delete('us-east-1');

    await switchover(eu, SECONDARY);

    expect(await seenTimes(us, 5)).toEqual([
      'eu-west-1/-/connected+connected',
      'eu-west-1/pending/connected+connected',
      'eu-west-1/switching-over/connected+connected',
      'eu-west-1/switching-over/connected+connected',
      'us-east-1/-/connected+connected',
    ]);
    expect(fake.writable('eu-west-1')).toEqual([]);
    expect(fake.calls.switchoverGlobalCluster).toBe(1);
  });

  it('refuses a writer as target, a headless target and a mix of AllowDataLoss and Switchover', async () => {
    expect(await rejection(failover(eu, PRIMARY))).toBe('InvalidGlobalClusterStateFault');
    fake.aurora.instances.splice(
      fake.aurora.instances.findIndex((i) => i.id === 'lamp-secondary-1'),
      1,
    );
    expect(await rejection(failover(us))).toBe('InvalidDBClusterStateFault');
    expect(
      await rejection(
        us.send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: 'lamp-global',
            TargetDbClusterIdentifier: SECONDARY,
            AllowDataLoss: true,
            Switchover: true,
          }),
        ),
      ),
    ).toBe('InvalidParameterCombination');
    expect(await rejection(us.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'nope' })))).toBe(
      'GlobalClusterNotFoundFault',
    );
    expect(await rejection(us.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'nope' })))).toBe('DBClusterNotFoundFault');
  });

  it('refuses an operation while another is under way', async () => {
    await failover(us);
    expect(await rejection(failover(us))).toBe('InvalidGlobalClusterStateFault');
  });

  it('publishes the global lag for the secondary only, under the metric its engine version has, and 0 once the writer is fenced', async () => {
    expect(await lag('us-east-1', 'lamp-secondary')).toEqual([800]);
    expect(await lag('us-east-1', 'lamp-secondary', 'AuroraGlobalDBReplicationLag')).toEqual([800]);
    expect(await lag('eu-west-1', 'lamp-primary')).toEqual([]);
    fake.aurora.clusterGroup('eu-west-1', 'lamp-primary-cluster-params')?.parameters.set('read_only', '1');
    fake.aurora.clusters.find((c) => c.id === 'lamp-primary')!.appliedReadOnly = '1';
    expect(await lag('us-east-1', 'lamp-secondary')).toEqual([0]);
  });

  it('leaves the RDS tier as it was: no clusters, and the RDS instances answer', async () => {
    const rds = new FakeAws(parseConfig(referenceConfig), 'steady', { mockSdk: false });
    expect(rds.aurora.clusters).toEqual([]);
    expect(rds.dbs.map((d) => d.id)).toEqual(['lamp-primary', 'lamp-replica']);
  });

  it('seeds the failed-over layout with the DR cluster writing and the old primary a rejoined secondary with its old snapshot', async () => {
    const after = new FakeAws(config, 'failed-over', { mockSdk: false });
    expect(after.writable('us-east-1')).toEqual(['lamp-secondary-1']);
    expect(after.auroraDb('eu-west-1', 'lamp-primary-1')).toMatchObject({ role: 'replica', synchronizationStatus: 'connected' });
    expect(after.aurora.clusterSnapshots.map((s) => s.id)).toEqual(['rds:unplanned-global-failover-lamp-primary-2026-01-02-00-00']);
  });

  it('authorizes every Aurora route', () => {
    for (const key of fake.routeKeys) expect(ROUTE_AUTHORIZATIONS[key], key).toBeDefined();
  });
});
