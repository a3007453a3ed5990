import { describe, expect, it } from 'vitest';
import { isOperationRejected, isRegionUnreachable, isThrottled } from '../../src/errors.js';
import { asgRef, dbRef, groupRef } from '../../src/plan/build-plan.js';
import type { Ports } from '../../src/ports.js';
import { config } from '../fixtures.js';
import { simulation } from './harness.js';

const { primary, secondary } = config;
const EU = primary.region;

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Probes the primary n times, 10 s apart; returns how many failed. */
async function probeFailures(ports: Ports, n: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const r = await ports.probe.check({ url: primary.healthCheckUrl, timeoutMs: 5_000 });
    if (!r.ok) failed++;
    await ports.clock.sleep(10_000);
  }
  return failed;
}

describe('SimPorts faults', () => {
  it('region outage: the region control plane times out as RegionUnreachable, Global Accelerator still answers', async () => {
    const { clock, ports, t0 } = simulation((t) => ({ outages: [{ region: EU, from: t }] }));

    const [rds, ga, probe] = await clock.run(() =>
      Promise.all([
        settle(ports.database.describe(dbRef(primary))),
        settle(ports.traffic.describe(groupRef(primary))),
        ports.probe.check({ url: primary.healthCheckUrl, timeoutMs: 5_000 }),
      ]),
    );

    expect(!rds.ok && isRegionUnreachable(rds.error)).toBe(true);
    expect(ga.ok).toBe(true);
    expect(probe).toMatchObject({ ok: false, error: 'timed out after 5000ms' });
    expect(clock.now() - t0).toBeGreaterThanOrEqual(10_000);
  });

  it("region outage: Global Accelerator follows the ALB's target health: unhealthy once the targets fail their checks, plus its lag", async () => {
    const { clock, ports, world, t0 } = simulation((t) => ({ outages: [{ region: EU, from: t, to: t + 120_000 }] }));
    const { albHealthIntervalMs, albUnhealthyThreshold, albHealthyThreshold, gaFollowsAlbMs } = world.latency;

    const health = await clock.run(async () => {
      const seen: { at: number; healthy: boolean }[] = [];
      for (let i = 0; i < 30; i++) {
        seen.push({ at: clock.now() - t0, healthy: (await ports.traffic.describe(groupRef(primary))).healthy });
        await clock.sleep(5_000);
      }
      return seen;
    });

    const firstDown = health.find((h) => !h.healthy)!.at;
    expect(firstDown).toBeGreaterThanOrEqual(albUnhealthyThreshold * albHealthIntervalMs);
    expect(firstDown).toBeLessThanOrEqual(albUnhealthyThreshold * albHealthIntervalMs + gaFollowsAlbMs[1] + 5_000);
    const backUp = health.find((h) => h.at > 120_000 && h.healthy)!.at;
    expect(backUp).toBeGreaterThanOrEqual(120_000 + albHealthyThreshold * albHealthIntervalMs);
    expect(health.at(-1)?.healthy).toBe(true);
  });

  it('Route 53 counts the endpoint healthy while more than 18 % of its checkers do; DNS answers by it, cached for the TTL', async () => {
    const { clock, ports, world, t0 } = simulation((t) => ({ outages: [{ region: EU, from: t + 60_000, to: t + 180_000 }] }));
    const ref = primary.route53HealthCheck!;
    const { route53IntervalMs, route53FailureThreshold, route53DnsMs } = world.latency;

    const seen = await clock.run(async () => {
      const out: { at: number; healthy: boolean; ageMs: number }[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await ports.healthChecks.status(ref);
        out.push({ at: clock.now() - t0, ...r });
        await clock.sleep(5_000);
      }
      return out;
    });

    expect(seen.filter((s) => s.at < 60_000).every((s) => s.healthy)).toBe(true);
    const firstDown = seen.find((s) => !s.healthy)!.at - 60_000;
    // Every checker needs its threshold of failed checks; the verdict flips once more than 82 % have.
    expect(firstDown).toBeGreaterThanOrEqual((route53FailureThreshold - 1) * route53IntervalMs);
    expect(firstDown).toBeLessThanOrEqual(route53FailureThreshold * route53IntervalMs + route53DnsMs[1] + 5_000 + 5_000);
    expect(seen.at(-1)?.healthy).toBe(true);
    for (const s of seen) {
      expect(s.ageMs).toBeGreaterThanOrEqual(route53IntervalMs);
      expect(s.ageMs).toBeLessThan(route53IntervalMs + 5_000 + 50);
    }
  });

  it("a maintenance reboot: the database reports rebooting, the app's health path fails, the region's control plane answers", async () => {
    const { clock, ports, world, t0 } = simulation((t) => ({ maintenance: [{ region: EU, from: t + 10_000, to: t + 130_000 }] }));

    const during = await clock.run(async () => {
      await clock.sleepUntil(t0 + 60_000);
      return {
        db: await ports.database.describe({ region: EU, dbInstanceIdentifier: primary.dbInstanceIdentifier }),
        probe: await ports.probe.check({ url: primary.healthCheckUrl, timeoutMs: 5_000 }),
      };
    });

    expect(during.db.status).toBe('rebooting');
    expect(during.probe.ok).toBe(false);
    expect(world.endpointUp(EU, t0 + 140_000)).toBe(true);
  });

  it('ALB 5xx: probes get 503 and the availability alarm fires, while the control plane answers', async () => {
    const { clock, ports } = simulation((t) => ({ alb5xx: [{ region: EU, from: t }] }));

    const [probe, alarm, rds] = await clock.run(async () => {
      const p = await ports.probe.check({ url: primary.healthCheckUrl, timeoutMs: 5_000 });
      await clock.sleep(180_000);
      return Promise.all([p, ports.alarms.state({ region: EU, alarmName: 'x' }), ports.database.describe(dbRef(primary))]);
    });

    expect(probe).toMatchObject({ ok: false, status: 503 });
    expect(alarm).toBe('ALARM');
    expect(rds.writable).toBe(true);
  });

  it('flapping probe: about the configured share of probes fail while the region is healthy', async () => {
    const { clock, ports } = simulation((t) => ({ flappingProbe: { region: EU, from: t, failureRate: 0.5 } }));

    const [failed, ga] = await clock.run(
      async () => [await probeFailures(ports, 200), await ports.traffic.describe(groupRef(primary))] as const,
    );

    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(130);
    expect(ga.healthy).toBe(true);
  });

  it('API throttling: about the configured share of control-plane calls are throttled', async () => {
    const { clock, ports } = simulation(() => ({ throttleRate: 0.3 }));

    const results = await clock.run(() =>
      Promise.all(Array.from({ length: 300 }, () => settle(ports.compute.describe(asgRef(secondary))))),
    );
    const throttled = results.filter((r) => !r.ok && isThrottled(r.error)).length;

    expect(throttled).toBeGreaterThan(60);
    expect(throttled).toBeLessThan(120);
  });

  it('promotion failure: PromoteReadReplica is rejected and the replica stays a replica', async () => {
    const { clock, ports, world } = simulation(() => ({ promotionFails: true }));

    const [result, after] = await clock.run(
      async () => [await settle(ports.database.promoteReplica(dbRef(secondary))), await ports.database.describe(dbRef(secondary))] as const,
    );

    expect(!result.ok && isOperationRejected(result.error)).toBe(true);
    expect(after.role).toBe('replica');
    expect(world.actions.promoteReplica).toBeUndefined();
  });

  it('no capacity: the DR group accepts the new capacity but no instance ever comes InService', async () => {
    const { clock, ports } = simulation(() => ({ noCapacityRegion: secondary.region }));

    const status = await clock.run(async () => {
      await ports.compute.setCapacity(asgRef(secondary), { min: 2, desired: 2, max: 4 });
      await clock.sleep(3_600_000);
      return ports.compute.describe(asgRef(secondary));
    });

    expect(status).toMatchObject({ desired: 2, inService: 0, healthyTargets: 0 });
  });

  it('replica lag: the replica reports lag held in the configured range', async () => {
    const { clock, ports } = simulation(() => ({ replicaLagMs: [90_000, 300_000] }));

    const db = await clock.run(() => ports.database.describe(dbRef(secondary)));

    expect(db.replicaLagSeconds).toBeGreaterThanOrEqual(90);
    expect(db.replicaLagSeconds).toBeLessThanOrEqual(300);
  });
});

describe('SimPorts behaviour', () => {
  it('keeps a promoted replica "available" for seconds after the call, then writable within 4 to 8 minutes', async () => {
    const { clock, ports, t0 } = simulation();
    const ref = dbRef(secondary);

    const seen = await clock.run(async () => {
      await ports.database.promoteReplica(ref);
      const right = await ports.database.describe(ref);
      await clock.sleep(10_000);
      const later = await ports.database.describe(ref);
      while (!(await ports.database.describe(ref)).writable) await clock.sleep(1_000);
      return { right, later, writableAfter: clock.now() - t0 };
    });

    expect(seen.right).toMatchObject({ status: 'available', role: 'replica', writable: false });
    expect(seen.later).toMatchObject({ status: 'modifying', role: 'replica' });
    expect(seen.writableAfter).toBeGreaterThanOrEqual(240_000);
    expect(seen.writableAfter).toBeLessThanOrEqual(490_000);
  });

  it('takes promote again as success without starting a second promotion', async () => {
    const { clock, ports, world } = simulation();

    await clock.run(async () => {
      await ports.database.promoteReplica(dbRef(secondary));
      await clock.sleep(30_000);
      await ports.database.promoteReplica(dbRef(secondary));
    });

    expect(world.rds.dbs.filter((d) => d.promotion)).toHaveLength(1);
  });

  it('routes to a healthy region on failover whatever its dial, but never to an endpoint of weight 0', async () => {
    const { clock, ports, world, t0 } = simulation((t) => ({ outages: [{ region: EU, from: t + 1 }] }));

    await clock.run(async () => {
      await ports.compute.setCapacity(asgRef(secondary), { min: 2, desired: 2, max: 4 });
      await clock.sleep(600_000);
    });
    const weightZero = world.routedTo(clock.now());
    await clock.run(() => ports.traffic.setEndpointWeight(groupRef(secondary), 128));

    expect(weightZero).toEqual([EU]);
    expect(world.dialAt(secondary.region, clock.now())).toBe(0);
    expect(world.routedTo(clock.now())).toEqual([secondary.region]);
    expect(world.routedTo(t0)).toEqual([EU]);
  });
});

describe('SimPorts: RDS parameter groups, as AWS documents them', () => {
  const P = dbRef(primary);
  const R = dbRef(secondary);

  it("fences writes through the database's own group: applying for seconds, then in-sync and read-only; resetting lifts it", async () => {
    const { clock, ports } = simulation();

    const seen = await clock.run(async () => {
      await ports.database.setWriteFence(P, true);
      const right = await ports.database.describe(P);
      await clock.sleep(15_000);
      const fenced = await ports.database.describe(P);
      await ports.database.setWriteFence(P, false);
      await clock.sleep(15_000);
      return { right, fenced, lifted: await ports.database.describe(P) };
    });

    expect(seen.right).toMatchObject({
      readOnly: 'on',
      writeFenced: false,
      writable: true,
      parameterGroup: { name: 'lamp-primary-params', applyStatus: 'applying' },
    });
    expect(seen.fenced).toMatchObject({ readOnly: 'on', writeFenced: true, writable: false, parameterGroup: { applyStatus: 'in-sync' } });
    expect(seen.lifted).toMatchObject({ readOnly: 'default', writeFenced: false, writable: true });
  });

  it('keeps a promoted replica read-only while its group is fenced: read_only belongs to the group, not the instance', async () => {
    const { clock, ports } = simulation();

    const after = await clock.run(async () => {
      await ports.database.setWriteFence(R, true);
      await ports.database.promoteReplica(R);
      await clock.sleep(600_000);
      return ports.database.describe(R);
    });

    expect(after).toMatchObject({ role: 'primary', status: 'available', readOnly: 'on', writable: false });
  });

  it('refuses to fence an instance that does not use the configured group (a new replica on the default group)', async () => {
    const { clock, ports, world } = simulation();
    world.rds.addDb({
      region: secondary.region,
      id: 'stray',
      role: 'replica',
      createdAt: clock.now(),
      availableAt: clock.now(),
      group: 'default.mysql8.4',
      settings: { storageEncrypted: true, copyTagsToSnapshot: true, tags: {}, allocatedStorageGiB: 20 },
      backupDays: 0,
    });

    const result = await clock.run(() =>
      settle(ports.database.setWriteFence({ region: secondary.region, dbInstanceIdentifier: 'stray' }, true)),
    );

    expect(!result.ok && isOperationRejected(result.error) && String(result.error)).toMatch(
      /stray uses default\.mysql8\.4, not lamp-replica-params/,
    );
  });

  it('retires an instance: renamed after about ten minutes, its retired group pending until a reboot, then read-only for good', async () => {
    const { clock, ports } = simulation();
    const retired = { region: primary.region, dbInstanceIdentifier: 'lamp-primary-retired-x' };

    const seen = await clock.run(async () => {
      await ports.database.setWriteFence(P, true);
      await clock.sleep(15_000);
      await ports.database.retireInstance(P, retired.dbInstanceIdentifier);
      const renaming = await ports.database.describe(P);
      await clock.sleep(13 * 60_000);
      const renamed = await ports.database.describe(retired);
      await ports.database.rebootInstance(retired);
      await clock.sleep(4 * 60_000);
      const rebooted = await ports.database.describe(retired);
      // Lifting the old group's fence no longer reaches it.
      await ports.database.createReplica(P, R);
      await clock.sleep(45 * 60_000);
      await ports.database.setWriteFence(P, false);
      await clock.sleep(15_000);
      return { renaming, renamed, rebooted, after: await ports.database.describe(retired) };
    });

    expect(seen.renaming.status).toBe('renaming');
    expect(seen.renamed).toMatchObject({ exists: true, parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'pending-reboot' } });
    expect(seen.rebooted).toMatchObject({
      writable: false,
      parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'in-sync' },
      readOnly: 'on',
    });
    expect(seen.after.writable).toBe(false);
  });

  it("creates a replica with the region's group and settings, backups off, and refuses a source without backups", async () => {
    const { clock, ports, world } = simulation();
    const fresh = { region: primary.region, dbInstanceIdentifier: 'lamp-home' };

    const [created, refused] = await clock.run(async () => {
      await ports.database.createReplica(fresh, R);
      await clock.sleep(45 * 60_000);
      const status = await ports.database.describe(fresh);
      return [
        status,
        await settle(ports.database.createReplica({ region: secondary.region, dbInstanceIdentifier: 'second' }, fresh)),
      ] as const;
    });

    expect(created).toMatchObject({
      role: 'replica',
      parameterGroup: { name: 'lamp-primary-params' },
      backupRetentionDays: 0,
      instanceClass: 'db.t3.small',
      deletionProtection: true,
    });
    expect(!refused.ok && String(refused.error)).toMatch(/automated backups are not enabled/);
    expect(world.rds.dbs.find((d) => world.rds.idAt(d, clock.now()) === 'lamp-home')?.settings).toMatchObject({
      iamAuthentication: true,
      cloudwatchLogsExports: ['error', 'slowquery'],
    });
  });
});

describe('SimPorts: calls that fail yet take effect', () => {
  it('applies a mutating call whose answer is lost, and the caller sees a timeout', async () => {
    const { clock, ports, world } = simulation(() => ({ lostResponseRate: 1 }));

    const result = await clock.run(() => settle(ports.compute.setCapacity(asgRef(secondary), { min: 2, desired: 2, max: 4 })));

    expect(!result.ok && isRegionUnreachable(result.error)).toBe(true);
    expect(world.asgs.get(secondary.region)?.desired).toBe(2);
  });
});

describe('SimWorld: capacity lost, and found again', () => {
  it('terminates the instances at the loss, launches nothing that serves during it, and refills the group after', async () => {
    const { clock, ports, world, t0 } = simulation((t) => ({ capacityLoss: [{ region: EU, from: t + 60_000, to: t + 20 * 60_000 }] }));

    const [during, after] = await clock.run(async () => {
      await clock.sleep(10 * 60_000);
      const a = await ports.compute.describe(asgRef(primary));
      await clock.sleep(15 * 60_000);
      return [a, await ports.compute.describe(asgRef(primary))] as const;
    });

    expect(during).toMatchObject({ desired: 2, inService: 0, healthyTargets: 0 });
    expect(after).toMatchObject({ desired: 2, inService: 2 });
    expect(world.healthyTargetsAt(EU, t0)).toBe(2);
  });
});
