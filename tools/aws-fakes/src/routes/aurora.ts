import {
  CopyDBClusterSnapshotCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { awsError } from '../errors.js';
import type { FakeAurora } from '../fake-aurora.js';
import type { FakeClusterSnapshot } from '../fake-aurora-model.js';
import { page } from '../fake-rds-model.js';
import type { FakeWiring } from './wiring.js';

const snapshotArn = (s: FakeClusterSnapshot) => `arn:aws:rds:${s.region}:123456789012:cluster-snapshot:${s.id}`;

/**
 * Aurora (answered by `fake-aurora.ts`): clusters, the global cluster and its failover and
 * switchover, cluster parameter groups, and cluster snapshots, `available` after
 * `snapshotDescribesUntilAvailable` describes.
 */
export function wireAurora(aurora: FakeAurora, w: FakeWiring): void {
  w.route('rds', DescribeDBClustersCommand, async (input, region) => aurora.describeClusters(input, region));
  w.route('rds', DescribeGlobalClustersCommand, async (input) => aurora.describeGlobalClusters(input));
  w.route('rds', FailoverGlobalClusterCommand, async (input, region) => aurora.failover(input, region));
  w.route('rds', SwitchoverGlobalClusterCommand, async (input, region) => aurora.switchover(input, region));
  w.route('rds', ModifyDBClusterParameterGroupCommand, async (input, region) => aurora.modifyClusterGroup(input, region));
  w.route('rds', ResetDBClusterParameterGroupCommand, async (input, region) => aurora.resetClusterGroup(input, region));
  w.route('rds', DescribeDBClusterParametersCommand, async (input, region) => aurora.describeClusterParameters(input, region));
  w.route('rds', DescribeDBClusterSnapshotsCommand, async (input, region) => describeSnapshots(aurora, input, region));
  w.route('rds', CopyDBClusterSnapshotCommand, async (input, region) => copySnapshot(aurora, w, input, region));
}

/**
 * DescribeDBClusterSnapshots: by cluster (which must exist), by identifier, by SnapshotType
 * (without one, automated and manual); paged. Identifiers are stored in lower case.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html
 */
function describeSnapshots(
  aurora: FakeAurora,
  input: {
    DBClusterIdentifier?: string;
    DBClusterSnapshotIdentifier?: string;
    SnapshotType?: string;
    Marker?: string;
    MaxRecords?: number;
  },
  region: string,
): unknown {
  if (input.DBClusterIdentifier && !aurora.cluster(region, input.DBClusterIdentifier))
    throw awsError('DBClusterNotFoundFault', `DBCluster ${input.DBClusterIdentifier} not found.`, 404);
  const id = input.DBClusterSnapshotIdentifier?.toLowerCase();
  const all = aurora.clusterSnapshots.filter(
    (s) =>
      s.region === region &&
      (!input.DBClusterIdentifier || s.clusterId === input.DBClusterIdentifier) &&
      (!id || s.id === id) &&
      (!input.SnapshotType || s.type === input.SnapshotType),
  );
  if (id && all.length === 0) throw awsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`, 404);
  const { items, marker } = page(all, input);
  for (const s of items) s.describesLeft--;
  return {
    DBClusterSnapshots: items.map((s) => ({
      DBClusterSnapshotIdentifier: s.id,
      DBClusterSnapshotArn: snapshotArn(s),
      DBClusterIdentifier: s.clusterId,
      SnapshotCreateTime: s.createdAt,
      Status: s.describesLeft < 0 ? 'available' : 'creating',
      SnapshotType: s.type,
      Engine: 'aurora-mysql',
      StorageEncrypted: s.kmsKeyId !== undefined,
      KmsKeyId: s.kmsKeyId,
    })),
    Marker: marker,
  };
}

/**
 * CopyDBClusterSnapshot in the source's region: the source (an identifier, or an ARN) must be
 * `available`; an existing target is DBClusterSnapshotAlreadyExistsFault. The copy is manual and
 * keeps the source's time, so it outlives the automated backups it came from.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBClusterSnapshot.html
 */
function copySnapshot(
  aurora: FakeAurora,
  w: FakeWiring,
  input: { SourceDBClusterSnapshotIdentifier?: string; TargetDBClusterSnapshotIdentifier?: string; KmsKeyId?: string },
  region: string,
): unknown {
  const sourceRef = String(input.SourceDBClusterSnapshotIdentifier ?? '');
  const source = aurora.clusterSnapshots.find((s) =>
    sourceRef.startsWith('arn:') ? snapshotArn(s) === sourceRef : s.region === region && s.id === sourceRef.toLowerCase(),
  );
  if (!source) throw awsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${sourceRef} not found.`, 404);
  if (source.describesLeft >= 0) throw awsError('InvalidDBClusterSnapshotStateFault', `DBClusterSnapshot ${source.id} is not available.`);
  const target = String(input.TargetDBClusterSnapshotIdentifier ?? '').toLowerCase();
  if (aurora.clusterSnapshots.some((s) => s.region === region && s.id === target))
    throw awsError('DBClusterSnapshotAlreadyExistsFault', `DBClusterSnapshot ${target} already exists.`);
  w.count('copyClusterSnapshot');
  aurora.clusterSnapshots.push({
    region,
    id: target,
    clusterId: source.clusterId,
    type: 'manual',
    describesLeft: aurora.snapshotDescribes(),
    createdAt: source.createdAt,
    kmsKeyId: input.KmsKeyId ?? source.kmsKeyId,
  });
  return { DBClusterSnapshot: { DBClusterSnapshotIdentifier: target, Status: 'creating' } };
}
