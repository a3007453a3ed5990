import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld } from '../harness.js';

const DAY = 86_400_000;
const ours = { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp', 'dr:schedule': 'daily' };
const today = new Date().toISOString().slice(0, 10);

describe('snapshot bundle', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    world.fake.snapshotDescribesUntilAvailable = 0;
  });
  afterEach(() => world.stop());

  /** `days` daily snapshots of ours before today in a region, plus a hand-made one and another app's. */
  function history(region: string, db: string, days: number) {
    for (let d = 1; d <= days; d++) {
      const at = new Date(Date.now() - d * DAY);
      world.fake.addSnapshot({
        region,
        id: `lamp-daily-${at.toISOString().slice(0, 10)}`,
        dbInstanceIdentifier: db,
        createdAt: at,
        tags: ours,
      });
    }
    world.fake.addSnapshot({
      region,
      id: 'before-the-upgrade',
      dbInstanceIdentifier: db,
      createdAt: new Date(Date.now() - 400 * DAY),
      tags: {},
    });
    world.fake.addSnapshot({
      region,
      id: 'shop-daily-old',
      dbInstanceIdentifier: 'shop',
      createdAt: new Date(Date.now() - 400 * DAY),
      tags: { ...ours, 'dr:app': 'shop' },
    });
  }

  it("snapshots the primary, copies it with the DR region's key, tags both, and prunes both regions by the policy", async () => {
    const { primary, secondary } = world.config;
    history(primary.region, primary.dbInstanceIdentifier, 250);

    const run = await world.start(BUNDLES.snapshot, { timeoutMs: 180_000 });

    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ snapshotId: `lamp-daily-${today}`, created: true });
    const taken = world.fake.snapshots.find((s) => s.region === primary.region && s.id === `lamp-daily-${today}`);
    expect(taken?.tags).toMatchObject({ ...ours, 'dr:source': `${primary.region}/${primary.dbInstanceIdentifier}` });
    expect(taken?.tags['dr:expires-after']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const copy = world.fake.snapshots.find((s) => s.region === secondary.region && s.id === `lamp-daily-${today}`);
    expect(copy).toMatchObject({ kmsKeyId: secondary.dbKmsKeyArn, tags: { ...ours, 'dr:copied-from': primary.region } });
    // 252 snapshots in the primary region: the job paged through all of them (100 a page).
    expect(world.server.calls.filter((c) => c === 'rds:DescribeDBSnapshots').length).toBeGreaterThanOrEqual(3);
    // Default policy: 7 daily, 4 weekly, 12 monthly; the hand-made and the other app's stay.
    const left = world.fake.snapshots.filter((s) => s.region === primary.region).map((s) => s.id);
    expect(left).toContain('before-the-upgrade');
    expect(left).toContain('shop-daily-old');
    expect(left.filter((id) => id.startsWith('lamp-daily-')).length).toBeLessThanOrEqual(7 + 4 + 12);
    expect(left).toContain(`lamp-daily-${today}`);
    expect(run.metrics.SnapshotCreated).toEqual([1]);
    expect(run.metrics.SnapshotsPruned?.[0]).toBeGreaterThan(200);
  });

  it('takes one snapshot a day however often it is retried', async () => {
    await world.start(BUNDLES.snapshot, { timeoutMs: 180_000 });
    const retry = await world.start(BUNDLES.snapshot, { timeoutMs: 180_000 });

    expect(retry.result).toMatchObject({ created: false, copied: [] });
    expect(world.fake.calls.createSnapshot).toBe(1);
    expect(world.fake.calls.copySnapshot).toBe(1);
  });

  it('after a failover, snapshots the promoted database in the DR region and copies it home', async () => {
    const { primary, secondary } = world.config;
    const replica = world.fake.dbs.find((d) => d.region === secondary.region);
    replica!.sourceArn = undefined;
    world.fake.outages.add(primary.region);

    const run = await world.start(BUNDLES.snapshot, { timeoutMs: 180_000 });

    // The primary region is down: the snapshot is taken, and copying it home waits for a later run.
    expect(run.code).toBe(1);
    expect(world.fake.snapshots.filter((s) => s.region === secondary.region).map((s) => s.dbInstanceIdentifier)).toEqual([
      secondary.dbInstanceIdentifier,
    ]);

    world.fake.outages.clear();
    const later = await world.start(BUNDLES.snapshot, { timeoutMs: 180_000 });
    expect(later.result).toMatchObject({ created: false, copied: [`lamp-daily-${today}`] });
    expect(world.fake.snapshots.find((s) => s.region === primary.region)?.tags['dr:copied-from']).toBe(secondary.region);
  });
});
