import { VirtualClock } from '@dr/failover-core/sim';
import { describe, expect, it } from 'vitest';
import {
  APP_TAG,
  DEFAULT_RETENTION,
  MANAGED_BY,
  MANAGED_BY_TAG,
  runSnapshotJob,
  type SnapshotPort,
  type SnapshotRecord,
} from '../src/index.js';

const DAY = 86_400_000;

/** An RDS of two regions in memory: snapshots become available after a few list calls, pages of 100. */
class FakeRds implements SnapshotPort {
  readonly snapshots = new Map<string, SnapshotRecord & { listsLeft: number }>();
  readonly calls: string[] = [];
  constructor(private readonly clock: VirtualClock) {}

  private key = (region: string, id: string) => `${region}/${id}`;

  async listPage(region: string, token?: string) {
    this.calls.push(`list ${region} ${token ?? ''}`);
    const all = [...this.snapshots.values()].filter((s) => s.region === region).sort((a, b) => a.id.localeCompare(b.id));
    for (const s of all)
      if (s.status !== 'available' && --s.listsLeft <= 0)
        this.snapshots.set(this.key(s.region, s.id), { ...s, status: 'available', createdAt: s.createdAt ?? this.clock.now() });
    const start = Number(token ?? 0);
    const page = all.slice(start, start + 100).map((s) => this.snapshots.get(this.key(s.region, s.id))!);
    return { snapshots: page, next: start + 100 < all.length ? String(start + 100) : undefined };
  }
  async create(region: string, _db: string, id: string, tags: Readonly<Record<string, string>>) {
    this.calls.push(`create ${region} ${id}`);
    if (!this.snapshots.has(this.key(region, id)))
      this.snapshots.set(this.key(region, id), { id, region, status: 'creating', createdAt: this.clock.now(), tags, listsLeft: 3 });
  }
  async copy(source: SnapshotRecord, region: string, id: string, kmsKeyId: string | undefined, tags: Readonly<Record<string, string>>) {
    this.calls.push(`copy ${source.region}->${region} ${id} ${kmsKeyId ?? ''}`);
    if (!this.snapshots.has(this.key(region, id)))
      this.snapshots.set(this.key(region, id), { id, region, status: 'copying', createdAt: source.createdAt, tags, listsLeft: 2 });
  }
  async delete(region: string, id: string) {
    this.calls.push(`delete ${region} ${id}`);
    this.snapshots.delete(this.key(region, id));
  }
  seed(region: string, id: string, createdAt: number, tags: Record<string, string>, status = 'available') {
    this.snapshots.set(this.key(region, id), { id, region, status, createdAt, tags, listsLeft: 1_000 });
  }
}

const ours = { [MANAGED_BY_TAG]: MANAGED_BY, [APP_TAG]: 'lamp' };
const input = {
  app: 'lamp',
  source: { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary' },
  copyTo: { region: 'us-east-1', kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k' },
  policy: DEFAULT_RETENTION,
};

describe('runSnapshotJob', () => {
  it("snapshots the active primary, waits for it, copies it with the other region's key, and tags it", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);

    const result = await clock.run(() => runSnapshotJob(rds, clock, input));

    expect(result).toMatchObject({ snapshotId: 'lamp-daily-2026-11-25', created: true, copied: ['lamp-daily-2026-11-25'], deleted: [] });
    expect(rds.calls).toContain('copy eu-west-1->us-east-1 lamp-daily-2026-11-25 arn:aws:kms:us-east-1:1:key/k');
    expect(rds.snapshots.get('eu-west-1/lamp-daily-2026-11-25')?.tags).toMatchObject({
      ...ours,
      'dr:source': 'eu-west-1/lamp-primary',
      'dr:schedule': 'daily',
      'dr:expires-after': '2026-12-02',
    });
  });

  it('takes one snapshot per day however often it is retried', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);

    const [first, second] = await clock.run(async () => [await runSnapshotJob(rds, clock, input), await runSnapshotJob(rds, clock, input)]);

    expect([first.created, second.created]).toEqual([true, false]);
    expect(rds.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(rds.calls.filter((c) => c.startsWith('copy'))).toHaveLength(1);
  });

  it('snapshots the promoted database in the other region after a failover', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);

    await clock.run(() =>
      runSnapshotJob(rds, clock, {
        ...input,
        source: { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica' },
        copyTo: { region: 'eu-west-1' },
      }),
    );

    expect(rds.calls.filter((c) => c.startsWith('create') || c.startsWith('copy'))).toEqual([
      'create us-east-1 lamp-daily-2026-11-25',
      'copy us-east-1->eu-west-1 lamp-daily-2026-11-25 ',
    ]);
  });

  it("prunes both regions by the policy, never another app's, a hand-made or an unfinished snapshot", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);
    for (let i = 1; i <= 30; i++)
      for (const region of ['eu-west-1', 'us-east-1'])
        rds.seed(region, `lamp-daily-old-${String(i).padStart(2, '0')}`, clock.now() - i * DAY, ours);
    rds.seed('eu-west-1', 'shop-daily-x', clock.now() - 300 * DAY, { ...ours, [APP_TAG]: 'shop' });
    rds.seed('eu-west-1', 'hand-made', clock.now() - 300 * DAY, {});
    rds.seed('us-east-1', 'lamp-daily-copying', clock.now() - 300 * DAY, ours, 'copying');

    const result = await clock.run(() => runSnapshotJob(rds, clock, input));

    const deleted = result.deleted.map((d) => d.id);
    expect(deleted).not.toContain('shop-daily-x');
    expect(deleted).not.toContain('hand-made');
    expect(deleted).not.toContain('lamp-daily-copying');
    expect(deleted.length).toBeGreaterThan(20);
    expect(result.kept.every((k) => k.count >= 7)).toBe(true);
  });

  it('pages through more than a thousand snapshots', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);
    for (let i = 0; i < 1_200; i++) rds.seed('eu-west-1', `other-${String(i).padStart(4, '0')}`, clock.now() - i * 60_000, {});

    const result = await clock.run(() => runSnapshotJob(rds, clock, input));

    expect(rds.calls).toContain('list eu-west-1 1100');
    expect(result.created).toBe(true);
    expect(result.deleted).toEqual([]);
  });

  it('leaves a snapshot that is still being created to be copied by a later run', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 2));
    const rds = new FakeRds(clock);

    const result = await clock.run(() => runSnapshotJob(rds, clock, { ...input, waitMs: 0 }));

    expect(result.copied).toEqual([]);
    expect(result.pendingCopies).toEqual(['lamp-daily-2026-11-25']);
  });
});
