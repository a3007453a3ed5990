import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  type DBSnapshot,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { isResourceNotFound } from '@dr/failover-core/errors';
import type { DbRef } from '@dr/failover-core/ports';
import type { SnapshotPage, SnapshotPort, SnapshotRecord } from '@dr/snapshot';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** A manual DB snapshot as the snapshot policy sees it. */
export interface DbSnapshotInfo {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  /** RDS `Status`: `creating`, `available`, `copying`, `deleting`, ... */
  readonly status: string;
  /** Epoch ms the snapshot was taken; undefined while RDS has not stamped it. */
  readonly createdAt?: number | undefined;
  readonly percentProgress?: number | undefined;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** Options of {@link RdsSnapshots}. */
export type RdsSnapshotsOptions = RegionalClients<RDSClient, RDSClientConfig> & { readonly policy?: CallPolicy };

const NOT_FOUND = ['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'];
const tagList = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function info(region: string, s: DBSnapshot): DbSnapshotInfo {
  return {
    id: s.DBSnapshotIdentifier ?? '',
    arn: s.DBSnapshotArn ?? '',
    region,
    dbInstanceIdentifier: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    createdAt: s.SnapshotCreateTime?.getTime(),
    percentProgress: s.PercentProgress,
    encrypted: s.Encrypted ?? false,
    kmsKeyId: s.KmsKeyId,
    tags: Object.fromEntries((s.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

/**
 * The RDS snapshot calls the snapshot policy (`@dr/snapshot`) needs: create, list with paging,
 * copy across regions with the destination's KMS key, delete and tag. Each is idempotent: a
 * snapshot that already exists (a retried job) or is already gone counts as done.
 */
export class RdsSnapshots {
  private readonly clients: ClientCache<RDSClient, RDSClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: RdsSnapshotsOptions = {}) {
    this.clients = new ClientCache(options, (c) => new RDSClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  /**
   * Which database serves now: `standby` once it has been promoted (it has no replication
   * source: after a failover), else `primary`. Reads only DescribeDBInstances, so a job with
   * snapshot permissions can ask.
   */
  async serving(primary: DbRef, standby: DbRef): Promise<DbRef> {
    try {
      const out = await callAws(
        {
          region: standby.region,
          resource: `RDS instance ${standby.dbInstanceIdentifier}`,
          notFound: ['DBInstanceNotFoundFault', 'DBInstanceNotFound'],
        },
        (abortSignal) =>
          this.clients
            .get(standby.region)
            .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: standby.dbInstanceIdentifier }), { abortSignal }),
        this.policy,
      );
      const instance = out.DBInstances?.[0];
      return instance && !instance.ReadReplicaSourceDBInstanceIdentifier ? standby : primary;
    } catch (e) {
      if (isResourceNotFound(e)) return primary;
      throw e;
    }
  }

  /** Takes a manual snapshot of an instance, tagged. */
  async create(region: string, dbInstanceIdentifier: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    try {
      await callAws(
        {
          region,
          resource: `RDS instance ${dbInstanceIdentifier}`,
          notFound: ['DBInstanceNotFoundFault'],
          rejected: ['InvalidDBInstanceStateFault', 'SnapshotQuotaExceededFault'],
        },
        (abortSignal) =>
          this.clients.get(region).send(
            new CreateDBSnapshotCommand({
              DBInstanceIdentifier: dbInstanceIdentifier,
              DBSnapshotIdentifier: snapshotId,
              Tags: tagList(tags),
            }),
            { abortSignal },
          ),
        this.policy,
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'DBSnapshotAlreadyExistsFault') throw e;
    }
  }

  /** One page of the manual snapshots in a region (up to 100), and the marker of the next. */
  async page(
    region: string,
    token?: string,
    dbInstanceIdentifier?: string,
  ): Promise<{ items: DbSnapshotInfo[]; next?: string | undefined }> {
    const out = await callAws(
      { region, resource: `DB snapshots in ${region}` },
      (abortSignal) =>
        this.clients.get(region).send(
          new DescribeDBSnapshotsCommand({
            DBInstanceIdentifier: dbInstanceIdentifier,
            SnapshotType: 'manual',
            Marker: token,
            MaxRecords: 100,
          }),
          { abortSignal },
        ),
      this.policy,
    );
    return { items: (out.DBSnapshots ?? []).map((s) => info(region, s)), next: out.Marker };
  }

  /** Every manual snapshot in a region, optionally of one instance, through every page. */
  async list(region: string, dbInstanceIdentifier?: string): Promise<DbSnapshotInfo[]> {
    return allPages((token) => this.page(region, token, dbInstanceIdentifier));
  }

  /**
   * Copies a snapshot to another region, encrypted with that region's key. The source is named
   * by ARN, from which the SDK presigns the request for the source region.
   */
  async copy(
    source: DbSnapshotInfo,
    targetRegion: string,
    targetId: string,
    kmsKeyId: string | undefined,
    tags: Readonly<Record<string, string>>,
  ): Promise<void> {
    try {
      await callAws(
        {
          region: targetRegion,
          resource: `copy of DB snapshot ${source.id}`,
          notFound: NOT_FOUND,
          rejected: ['InvalidDBSnapshotStateFault', 'KMSKeyNotAccessibleFault', 'SnapshotQuotaExceededFault'],
        },
        (abortSignal) =>
          this.clients.get(targetRegion).send(
            new CopyDBSnapshotCommand({
              SourceDBSnapshotIdentifier: source.arn,
              TargetDBSnapshotIdentifier: targetId,
              KmsKeyId: kmsKeyId,
              Tags: tagList(tags),
              CopyTags: false,
            }),
            { abortSignal },
          ),
        this.policy,
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'DBSnapshotAlreadyExistsFault') throw e;
    }
  }

  /** Deletes a manual snapshot; one already gone counts as deleted. */
  async delete(region: string, snapshotId: string): Promise<void> {
    try {
      await callAws(
        { region, resource: `DB snapshot ${snapshotId}`, notFound: NOT_FOUND, rejected: ['InvalidDBSnapshotStateFault'] },
        (abortSignal) => this.clients.get(region).send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId }), { abortSignal }),
        this.policy,
      );
    } catch (e) {
      if (!isResourceNotFound(e)) throw e;
    }
  }

  /** Adds or replaces tags on a snapshot. */
  async tag(region: string, arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await callAws(
      { region, resource: `DB snapshot ${arn}`, notFound: NOT_FOUND },
      (abortSignal) =>
        this.clients.get(region).send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }), { abortSignal }),
      this.policy,
    );
  }
}

/**
 * The `SnapshotPort` of `@dr/snapshot` on RDS: what the daily snapshot job runs on.
 */
export class RdsSnapshotPort implements SnapshotPort {
  constructor(private readonly snapshots: RdsSnapshots = new RdsSnapshots()) {}

  async listPage(region: string, token?: string): Promise<SnapshotPage> {
    const page = await this.snapshots.page(region, token);
    return { snapshots: page.items, next: page.next };
  }

  create(region: string, dbInstanceIdentifier: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    return this.snapshots.create(region, dbInstanceIdentifier, snapshotId, tags);
  }

  async copy(
    source: SnapshotRecord,
    targetRegion: string,
    targetId: string,
    kmsKeyId: string | undefined,
    tags: Readonly<Record<string, string>>,
  ): Promise<void> {
    const arn = (source as Partial<DbSnapshotInfo>).arn;
    if (!arn) throw new Error(`snapshot ${source.id} in ${source.region} has no ARN to copy from`);
    await this.snapshots.copy({ ...(source as DbSnapshotInfo), arn }, targetRegion, targetId, kmsKeyId, tags);
  }

  delete(region: string, snapshotId: string): Promise<void> {
    return this.snapshots.delete(region, snapshotId);
  }
}
