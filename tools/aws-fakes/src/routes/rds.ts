import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RebootDBInstanceCommand,
  ResetDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { awsError } from '../errors.js';
import type { FakeSnapshot } from '../fake-aws-state.js';
import { page } from '../fake-rds.js';
import type { FakeAws } from '../fake-aws.js';
import type { FakeWiring } from './wiring.js';

/**
 * RDS: instances and parameter groups (answered by `fake-rds.ts`), and manual snapshots with their
 * cross-region copies, `available` after {@link FakeAws.snapshotDescribesUntilAvailable} describes.
 */
export function wireRds(fake: FakeAws, w: FakeWiring): void {
  // On the Aurora tier every instance is a cluster's (`fake-aurora.ts`).
  const aurora = fake.topology.database.tier === 'aurora-global';
  w.route('rds', DescribeDBInstancesCommand, async (input, region) =>
    aurora ? w.aurora.describeInstances(input, region) : w.rds.describeInstances(input, region),
  );
  w.route('rds', PromoteReadReplicaCommand, async (input, region) => w.rds.promote(input, region));
  w.route('rds', CreateDBInstanceReadReplicaCommand, async (input, region) => w.rds.createReplica(input, region));
  w.route('rds', ModifyDBInstanceCommand, async (input, region) => w.rds.modifyInstance(input, region));
  w.route('rds', RebootDBInstanceCommand, async (input, region) => w.rds.reboot(input, region));
  w.route('rds', ModifyDBParameterGroupCommand, async (input, region) => w.rds.modifyGroup(input, region));
  w.route('rds', ResetDBParameterGroupCommand, async (input, region) => w.rds.resetGroup(input, region));
  w.route('rds', DescribeDBParametersCommand, async (input, region) => w.rds.describeParameters(input, region));
  const arnOf = (s: FakeSnapshot) => `arn:aws:rds:${s.region}:123456789012:snapshot:${s.id}`;
  w.route('rds', DescribeDBSnapshotsCommand, async (input, region) => {
    const all = fake.snapshots.filter(
      (s) => s.region === region && (!input.DBInstanceIdentifier || s.dbInstanceIdentifier === input.DBInstanceIdentifier),
    );
    const { items, marker } = page(all, input);
    for (const s of items) s.describesLeft--;
    return {
      DBSnapshots: items.map((s) => ({
        DBSnapshotIdentifier: s.id,
        DBSnapshotArn: arnOf(s),
        DBInstanceIdentifier: s.dbInstanceIdentifier,
        Status: s.describesLeft < 0 ? 'available' : 'creating',
        SnapshotCreateTime: s.createdAt,
        SnapshotType: 'manual',
        Encrypted: true,
        KmsKeyId: s.kmsKeyId,
        TagList: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
      Marker: marker,
    };
  });
  w.route('rds', CreateDBSnapshotCommand, async (input, region) => {
    if (fake.snapshots.some((s) => s.region === region && s.id === input.DBSnapshotIdentifier))
      throw awsError('DBSnapshotAlreadyExistsFault');
    if (!w.rds.find(region, input.DBInstanceIdentifier))
      throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
    w.count('createSnapshot');
    const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    fake.snapshots.push({
      region,
      id: input.DBSnapshotIdentifier,
      dbInstanceIdentifier: input.DBInstanceIdentifier,
      describesLeft: fake.snapshotDescribesUntilAvailable,
      createdAt: new Date(),
      tags,
    });
    return {};
  });
  w.route('rds', CopyDBSnapshotCommand, async (input, region) => {
    const source = fake.snapshots.find((s) => arnOf(s) === input.SourceDBSnapshotIdentifier);
    if (!source) throw awsError('DBSnapshotNotFoundFault', `${input.SourceDBSnapshotIdentifier} not found`, 404);
    if (fake.snapshots.some((s) => s.region === region && s.id === input.TargetDBSnapshotIdentifier))
      throw awsError('DBSnapshotAlreadyExistsFault');
    w.count('copySnapshot');
    const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    fake.snapshots.push({
      region,
      id: input.TargetDBSnapshotIdentifier,
      dbInstanceIdentifier: source.dbInstanceIdentifier,
      describesLeft: fake.snapshotDescribesUntilAvailable,
      createdAt: source.createdAt,
      tags,
      kmsKeyId: input.KmsKeyId,
    });
    return {};
  });
  w.route('rds', DeleteDBSnapshotCommand, async (input, region) => {
    const at = fake.snapshots.findIndex((s) => s.region === region && s.id === input.DBSnapshotIdentifier);
    if (at < 0) throw awsError('DBSnapshotNotFoundFault', `${input.DBSnapshotIdentifier} not found`, 404);
    w.count('deleteSnapshot');
    fake.snapshots.splice(at, 1);
    return {};
  });
  w.route('rds', AddTagsToResourceCommand, async () => ({}));
}
