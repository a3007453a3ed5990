import { READINESS_CHECKS, stateKeys, type ReadinessReport } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld } from '../harness.js';

const ours = { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp', 'dr:schedule': 'daily' };

describe('readiness bundle', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    const { primary, secondary } = world.config;
    // The constructs write the config in both regions; the snapshot job copies to the DR region.
    world.fake.parameters.set(`${primary.region}:/dr/lamp/config`, JSON.stringify(world.config));
    world.fake.addSnapshot({
      region: secondary.region,
      id: 'lamp-daily-today',
      dbInstanceIdentifier: primary.dbInstanceIdentifier,
      createdAt: new Date(Date.now() - 3_600_000),
      tags: ours,
    });
    await world
      .stateStore()
      .write(stateKeys('lamp').heartbeat, { at: Date.now() - 20_000, action: 'watched', verdict: 'healthy', armed: true }, 0);
  });
  afterEach(() => world.stop());

  const stored = async () => (await world.stateStore().read<ReadinessReport>(stateKeys('lamp').readiness))?.value;

  it('evaluates every check, publishes one metric each in one call, stores the report and logs one line', async () => {
    const run = await world.start(BUNDLES.readiness, { timeoutMs: 60_000 });

    expect(run.error).toBeUndefined();
    const report = run.result!.report as ReadinessReport;
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(run.result!.summary).toBe(
      `readiness ${READINESS_CHECKS.length}/${READINESS_CHECKS.length} pass, 0 fail, 0 unknown (standby us-east-1)`,
    );
    expect(world.server.calls.filter((c) => c === 'monitoring:PutMetricData')).toHaveLength(1);
    const published = world.fake.readiness.published;
    expect(published.map((p) => p.name)).toEqual([...READINESS_CHECKS]);
    expect(
      published.every((p) => p.namespace === 'DR/Readiness' && p.region === 'us-east-1' && p.value === 1 && p.dimensions.App === 'lamp'),
    ).toBe(true);
    expect(await stored()).toEqual(report);
    expect(run.logs.some((l) => l.message === run.result!.summary)).toBe(true);
    // It reads; it changes nothing.
    expect(world.fake.mutations()).toBe(0);
  });

  it('publishes 0 for what fails and nothing for what it could not see, and overwrites the last report', async () => {
    const { primary, secondary } = world.config;
    await world.start(BUNDLES.readiness, { timeoutMs: 60_000 });
    const image = world.fake.readiness.launchTemplates.get(secondary.region)!.imageId!;
    world.fake.readiness.images.delete(`${secondary.region}:${image}`);
    world.fake.outages.add(primary.region);
    world.fake.readiness.published.length = 0;

    const run = await world.start(BUNDLES.readiness, { timeoutMs: 60_000 });

    expect(run.error).toBeUndefined();
    const report = run.result!.report as ReadinessReport;
    const by = (s: string) => report.checks.filter((c) => c.status === s).map((c) => c.id);
    expect(by('fail')).toEqual(['dr-image']);
    // The primary region does not answer: its config parameter and its bucket's replication metrics cannot be read.
    expect(by('unknown')).toEqual(['config-parameter-match', 's3-replication']);
    expect(run.result!.summary).toBe(
      `readiness ${READINESS_CHECKS.length - 3}/${READINESS_CHECKS.length} pass, 1 fail: dr-image, 2 unknown: config-parameter-match, s3-replication (standby us-east-1)`,
    );
    const published = Object.fromEntries(world.fake.readiness.published.map((p) => [p.name, p.value]));
    expect(published['dr-image']).toBe(0);
    expect(published['config-parameter-match']).toBeUndefined();
    expect(published['s3-replication']).toBeUndefined();
    expect(Object.keys(published)).toHaveLength(READINESS_CHECKS.length - 2);
    expect(await stored()).toEqual(report);
  });

  it('fails, changing nothing, when its settings are missing', async () => {
    const run = await world.start(BUNDLES.readiness, { timeoutMs: 30_000, env: { DR_STATE_TABLE: undefined } });

    expect(run.error).toMatch(/DR_STATE_TABLE is not set/);
    expect(world.fake.readiness.published).toEqual([]);
  });
});
