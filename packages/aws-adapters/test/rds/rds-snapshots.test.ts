import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RdsSnapshots } from '../../src/index.js';
import { awsError } from '@dr/aws-fakes';
import { config, fastPolicy } from '../fixtures.js';

const rds = mockClient(RDSClient);
afterEach(() => rds.reset());
const snapshots = new RdsSnapshots({ policy: fastPolicy() });
const tags = { 'dr:app': 'lamp', 'dr:schedule': 'daily' };
const snapshot = (n: number) => ({
  DBSnapshotIdentifier: `lamp-daily-${n}`,
  DBSnapshotArn: `arn:aws:rds:eu-west-1:123456789012:snapshot:lamp-daily-${n}`,
  DBInstanceIdentifier: 'lamp-primary',
  Status: n === 5 ? 'creating' : 'available',
  SnapshotCreateTime: new Date(Date.UTC(2026, 10, n)),
  Encrypted: true,
  TagList: [{ Key: 'dr:app', Value: 'lamp' }],
});

describe('RdsSnapshots', () => {
  it('takes a tagged manual snapshot, and a retry of an existing one is done', async () => {
    rds.on(CreateDBSnapshotCommand).resolvesOnce({}).rejects(awsError('DBSnapshotAlreadyExistsFault'));

    await snapshots.create('eu-west-1', 'lamp-primary', 'lamp-daily-2026-11-25', tags);
    await snapshots.create('eu-west-1', 'lamp-primary', 'lamp-daily-2026-11-25', tags);

    expect(rds.commandCalls(CreateDBSnapshotCommand)[0]?.args[0].input).toEqual({
      DBInstanceIdentifier: 'lamp-primary',
      DBSnapshotIdentifier: 'lamp-daily-2026-11-25',
      Tags: [
        { Key: 'dr:app', Value: 'lamp' },
        { Key: 'dr:schedule', Value: 'daily' },
      ],
    });
  });

  it('lists manual snapshots through every page', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [snapshot(1), snapshot(2)], Marker: 'm2' })
      .resolvesOnce({ DBSnapshots: [snapshot(3)], Marker: 'm3' })
      .resolves({ DBSnapshots: [snapshot(4), snapshot(5)] });

    const all = await snapshots.list('eu-west-1', 'lamp-primary');

    expect(all.map((s) => s.id)).toEqual(['lamp-daily-1', 'lamp-daily-2', 'lamp-daily-3', 'lamp-daily-4', 'lamp-daily-5']);
    expect(all[4]).toMatchObject({
      status: 'creating',
      region: 'eu-west-1',
      encrypted: true,
      tags: { 'dr:app': 'lamp' },
      createdAt: Date.UTC(2026, 10, 5),
    });
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm2', 'm3']);
  });

  it("copies a snapshot to the other region by ARN, with that region's key", async () => {
    rds.on(CopyDBSnapshotCommand).resolves({});
    const [source] = await (async () => {
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot(1)] });
      return snapshots.list('eu-west-1');
    })();

    await snapshots.copy(source!, 'us-east-1', 'lamp-daily-1-copy', config.secondary.dbKmsKeyArn, tags);

    expect(rds.commandCalls(CopyDBSnapshotCommand)[0]?.args[0].input).toMatchObject({
      SourceDBSnapshotIdentifier: 'arn:aws:rds:eu-west-1:123456789012:snapshot:lamp-daily-1',
      TargetDBSnapshotIdentifier: 'lamp-daily-1-copy',
      KmsKeyId: config.secondary.dbKmsKeyArn,
    });
  });

  it('deletes a snapshot, and one already gone counts as deleted', async () => {
    rds.on(DeleteDBSnapshotCommand).resolvesOnce({}).rejects(awsError('DBSnapshotNotFoundFault'));

    await snapshots.delete('eu-west-1', 'lamp-daily-1');
    await snapshots.delete('eu-west-1', 'lamp-daily-1');

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(2);
  });

  it('tags a snapshot', async () => {
    rds.on(AddTagsToResourceCommand).resolves({});

    await snapshots.tag('eu-west-1', 'arn:aws:rds:eu-west-1:123456789012:snapshot:s', { 'dr:expires': '2026-12-25' });

    expect(rds.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input).toEqual({
      ResourceName: 'arn:aws:rds:eu-west-1:123456789012:snapshot:s',
      Tags: [{ Key: 'dr:expires', Value: '2026-12-25' }],
    });
  });
});

describe('RdsSnapshotPort', () => {
  it("runs the snapshot job's port on RDS: a page at a time, copies by ARN", async () => {
    const { RdsSnapshotPort } = await import('../../src/index.js');
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [snapshot(1)], Marker: 'm2' })
      .resolves({ DBSnapshots: [snapshot(2)] });
    rds.on(CopyDBSnapshotCommand).resolves({});
    const port = new RdsSnapshotPort(snapshots);

    const first = await port.listPage('eu-west-1');
    const second = await port.listPage('eu-west-1', first.next);
    await port.copy(first.snapshots[0]!, 'us-east-1', 'lamp-daily-1', 'key', {});

    expect([first.next, second.next]).toEqual(['m2', undefined]);
    expect(rds.commandCalls(CopyDBSnapshotCommand)[0]?.args[0].input.SourceDBSnapshotIdentifier).toBe(
      'arn:aws:rds:eu-west-1:123456789012:snapshot:lamp-daily-1',
    );
  });
});

describe('RdsSnapshots.serving', () => {
  const primary = { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary' };
  const standby = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica' };

  it('is the primary while the standby replicates from it', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'lamp-replica',
          ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary',
        },
      ],
    });

    expect(await snapshots.serving(primary, standby)).toEqual(primary);
  });

  it('is the standby once it has been promoted', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'lamp-replica' }] });

    expect(await snapshots.serving(primary, standby)).toEqual(standby);
    expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'lamp-replica' });
  });

  it('is the primary when there is no standby at all', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault', 'DBInstance lamp-replica not found.', 404));

    expect(await snapshots.serving(primary, standby)).toEqual(primary);
  });
});
