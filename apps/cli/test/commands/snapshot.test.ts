import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';

const DAY = 86_400_000;
const ours = { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp' };

describe('dr snapshot', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
    for (let d = 1; d <= 40; d++)
      world.fake.addSnapshot({
        region: 'eu-west-1',
        id: `lamp-daily-${d}`,
        dbInstanceIdentifier: 'lamp-primary',
        createdAt: new Date(Date.now() - d * DAY),
        tags: ours,
      });
    world.fake.addSnapshot({
      region: 'eu-west-1',
      id: 'hand-made',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date(Date.now() - 300 * DAY),
      tags: {},
    });
  });
  afterEach(() => world.stop());

  it('list shows what the policy keeps and why', async () => {
    const r = await world.dr(['snapshot', 'list', '--config', world.configFile]);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/eu-west-1: \d+ kept, \d+ due for pruning, 1 not ours/);
    expect(r.stdout).toMatch(/lamp-daily-1 .*keep: .*newest/);
    expect(r.stdout).toMatch(/hand-made .*not ours: never touched/);
  });

  it('prune --dry-run deletes nothing; prune --yes deletes exactly what it listed', async () => {
    const dry = await world.dr(['snapshot', 'prune', '--config', world.configFile, '--dry-run', '--json']);
    const planned = (JSON.parse(dry.stdout) as { delete: { id: string }[] }).delete.map((d) => d.id);
    expect(planned.length).toBeGreaterThan(20);
    expect(world.fake.calls.deleteSnapshot ?? 0).toBe(0);

    const real = await world.dr(['snapshot', 'prune', '--config', world.configFile, '--yes', '--json']);

    expect(real.code).toBe(0);
    expect((JSON.parse(real.stdout) as { deleted: { id: string }[] }).deleted.map((d) => d.id)).toEqual(planned);
    expect(world.fake.snapshots.map((s) => s.id)).toContain('hand-made');
    expect(world.fake.snapshots.map((s) => s.id)).toContain('lamp-daily-1');
  });

  it('create snapshots the database that serves, tagged as ours', async () => {
    const r = await world.dr(['snapshot', 'create', '--config', world.configFile, '--json']);

    expect(r.code).toBe(0);
    const { snapshotId, region } = JSON.parse(r.stdout) as { snapshotId: string; region: string };
    expect(region).toBe('eu-west-1');
    expect(world.fake.snapshots.find((s) => s.id === snapshotId)?.tags).toMatchObject({ ...ours, 'dr:schedule': 'manual' });
  });

  it('rejects a bad retention count by name', async () => {
    const r = await world.dr(['snapshot', 'prune', '--config', world.configFile, '--keep-daily', 'lots']);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--keep-daily must be a whole number from 0 to 366; got "lots"/);
  });
});
