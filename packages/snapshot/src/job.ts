import type { Clock } from '@dr/failover-core/ports';
import { APP_TAG, MANAGED_BY, MANAGED_BY_TAG, isManaged, planRetention, type RetentionPolicy, type SnapshotRecord } from './retention.js';

/** One page of a region's snapshots. */
export interface SnapshotPage {
  readonly snapshots: readonly SnapshotRecord[];
  readonly next?: string | undefined;
}

/** What the snapshot job needs from RDS; `@dr/aws-adapters` implements it. Every call is idempotent. */
export interface SnapshotPort {
  /** One page of the manual snapshots of a region. */
  listPage(region: string, token?: string): Promise<SnapshotPage>;
  /** Takes a snapshot; one that already exists counts as taken. */
  create(region: string, dbInstanceIdentifier: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** Copies a snapshot into another region with that region's key; an existing copy counts as done. */
  copy(
    source: SnapshotRecord,
    targetRegion: string,
    targetId: string,
    kmsKeyId: string | undefined,
    tags: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Deletes a snapshot; one already gone counts as deleted. */
  delete(region: string, snapshotId: string): Promise<void>;
}

/** What one run of the snapshot job does. */
export interface SnapshotJobInput {
  readonly app: string;
  /** The database serving now: after a failover, the promoted one in the other region. */
  readonly source: { readonly region: string; readonly dbInstanceIdentifier: string };
  /** Where copies go, with that region's KMS key for encrypted snapshots. */
  readonly copyTo: { readonly region: string; readonly kmsKeyId?: string | undefined };
  readonly policy: RetentionPolicy;
  /** Names the schedule in the snapshot id and tags. @default 'daily' */
  readonly schedule?: string;
  /** How long to wait for the new snapshot before copying it; a later run copies what is left. @default 10 minutes */
  readonly waitMs?: number;
  /** @default 30 seconds */
  readonly pollMs?: number;
}

/** What one run did. */
export interface SnapshotJobResult {
  readonly snapshotId: string;
  /** False when a retried run found today's snapshot already taken. */
  readonly created: boolean;
  /** Snapshot ids copied to the other region by this run. */
  readonly copied: readonly string[];
  /** Managed snapshots still being created: copied by a later run. */
  readonly pendingCopies: readonly string[];
  readonly deleted: readonly { readonly region: string; readonly id: string }[];
  readonly kept: readonly { readonly region: string; readonly count: number }[];
}

/** Every snapshot of a region, through every page. */
export async function listAll(port: SnapshotPort, region: string): Promise<SnapshotRecord[]> {
  const all: SnapshotRecord[] = [];
  let token: string | undefined;
  do {
    const page = await port.listPage(region, token);
    all.push(...page.snapshots);
    token = page.next;
  } while (token);
  return all;
}

/** The job's snapshot id for a day: one per schedule per day, so a retried run finds it. */
export const snapshotIdFor = (app: string, schedule: string, now: number): string =>
  `${app}-${schedule}-${new Date(now).toISOString().slice(0, 10)}`;

/**
 * One run of the snapshot job: snapshot the active primary (once per day per schedule, however
 * often the run is retried), wait for it, copy every complete snapshot of ours the other region
 * lacks (with that region's key), and prune both regions by the retention policy. Only
 * snapshots this tool made are ever deleted, and none still being created or copied.
 */
export async function runSnapshotJob(port: SnapshotPort, clock: Clock, input: SnapshotJobInput): Promise<SnapshotJobResult> {
  const schedule = input.schedule ?? 'daily';
  const now = clock.now();
  const snapshotId = snapshotIdFor(input.app, schedule, now);
  const tags = {
    [MANAGED_BY_TAG]: MANAGED_BY,
    [APP_TAG]: input.app,
    'dr:source': `${input.source.region}/${input.source.dbInstanceIdentifier}`,
    'dr:schedule': schedule,
    // The earliest the retention policy can prune it: after its days as a daily.
    'dr:expires-after': new Date(now + input.policy.daily * 86_400_000).toISOString().slice(0, 10),
  };

  const existing = await listAll(port, input.source.region);
  const created = !existing.some((s) => s.id === snapshotId);
  if (created) await port.create(input.source.region, input.source.dbInstanceIdentifier, snapshotId, tags);

  // Wait for it (a fixed poll is what RDS offers: there is no event to wait on from here).
  const deadline = now + (input.waitMs ?? 600_000);
  let source = await listAll(port, input.source.region);
  while (source.find((s) => s.id === snapshotId)?.status !== 'available' && clock.now() < deadline) {
    await clock.sleep(input.pollMs ?? 30_000);
    source = await listAll(port, input.source.region);
  }

  const target = await listAll(port, input.copyTo.region);
  const present = new Set(target.map((s) => s.id));
  const ours = source.filter((s) => isManaged(s, input.app));
  const copied: string[] = [];
  for (const s of ours.filter((x) => x.status === 'available' && !present.has(x.id))) {
    await port.copy(s, input.copyTo.region, s.id, input.copyTo.kmsKeyId, { ...s.tags, 'dr:copied-from': input.source.region });
    copied.push(s.id);
  }
  const pendingCopies = ours.filter((s) => s.status !== 'available' && !present.has(s.id)).map((s) => s.id);

  const deleted: { region: string; id: string }[] = [];
  const kept: { region: string; count: number }[] = [];
  for (const [region, snapshots] of [
    [input.source.region, source],
    [input.copyTo.region, await listAll(port, input.copyTo.region)],
  ] as const) {
    const plan = planRetention(snapshots, input.policy, input.app);
    for (const s of plan.delete) {
      await port.delete(region, s.id);
      deleted.push({ region, id: s.id });
    }
    kept.push({ region, count: plan.keep.length });
  }
  return { snapshotId, created, copied, pendingCopies, deleted, kept };
}
