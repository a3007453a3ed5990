import { asgRef, dbRef, type DrConfig } from '@dr/failover-core';
import { auditWorld, drillFaultTime, scenarioEffects, type Scenario } from '@dr/failover-core/drill';
import { SimPorts, SimWorld, VirtualClock, type LatencyModel } from '@dr/failover-core/sim';

/** What the brief's approach achieved in one simulated outage. */
export interface BaselineResult {
  /** false when no failover was triggered within the watch window. */
  readonly triggered: boolean;
  readonly detectSeconds: number | null;
  /** Impairment start until the DR region receives traffic and can serve it. */
  readonly rtoSeconds: number | null;
  /** Replica lag at promotion. */
  readonly rpoSeconds: number | null;
  /**
   * Seconds users reached a region whose application was up but whose database took no writes,
   * over both regions, from the start until the DR region serves: the drills' audit
   * (`auditWorld`), with its lingering connections, applied to the brief's world.
   */
  readonly unsafeTrafficSeconds: number;
}

const POLL_MS = 10_000;

/**
 * The original brief's failover, modelled on the same simulator, seed and latency model as our
 * drills: a Lambda on a one-minute schedule pings the primary ALB once; on the first failure it
 * scales the DR Auto Scaling group and waits for InService, then promotes the replica and waits
 * until it is writable, in sequence; Global Accelerator then fails over by itself once the DR
 * endpoint is healthy (the brief's DR endpoint has a weight, so GA may route there earlier).
 */
export async function runBriefBaseline(
  config: DrConfig,
  seed: number,
  scenario: Scenario = 'region-outage',
  latency?: Partial<LatencyModel>,
  watchSeconds = 1_800,
): Promise<BaselineResult> {
  const { primary, secondary } = config;
  const clock = new VirtualClock();
  const t0 = clock.now();
  const faultAt = drillFaultTime(seed, t0);
  const world = new SimWorld(config, t0, scenarioEffects(scenario, primary.region, secondary.region, faultAt).faults, {
    seed,
    latency,
    pilotLightEndpoint: { weight: 128, dialPercent: 0 },
  });
  const ports = new SimPorts(world, clock);
  const asg = asgRef(secondary);
  const db = dbRef(secondary);

  return clock.run(async (): Promise<BaselineResult> => {
    let detectedAt: number | undefined;
    for (let tick = t0; tick <= faultAt + watchSeconds * 1000; tick += world.latency.scheduleIntervalMs) {
      await clock.sleepUntil(tick);
      const ping = await ports.probe.check({ url: primary.healthCheckUrl, timeoutMs: 5_000 });
      if (!ping.ok) {
        detectedAt = clock.now();
        break;
      }
    }
    if (detectedAt === undefined)
      return { triggered: false, detectSeconds: null, rtoSeconds: null, rpoSeconds: null, unsafeTrafficSeconds: 0 };

    await ports.compute.setCapacity(asg, secondary.capacity);
    while ((await ports.compute.describe(asg)).inService < secondary.capacity.desired) await clock.sleep(POLL_MS);
    const lag = (await ports.database.describe(db)).replicaLagSeconds ?? null;
    await ports.database.promoteReplica(db);
    while (!(await ports.database.describe(db)).writable) await clock.sleep(POLL_MS);

    // Global Accelerator moves users only if the primary endpoint is unhealthy; after a
    // spurious failover (the primary was fine) it never does, and there is no RTO to report.
    const giveUpAt = clock.now() + 3_600_000;
    let servedAt = clock.now();
    while (!(world.routedTo(servedAt).includes(secondary.region) && world.canServe(secondary.region, servedAt))) {
      servedAt += 1_000;
      if (servedAt > giveUpAt)
        return {
          triggered: true,
          detectSeconds: (detectedAt - faultAt) / 1000,
          rtoSeconds: null,
          rpoSeconds: lag,
          unsafeTrafficSeconds: 0,
        };
    }
    return {
      triggered: true,
      detectSeconds: (detectedAt - faultAt) / 1000,
      rtoSeconds: (servedAt - faultAt) / 1000,
      rpoSeconds: lag,
      // The brief has no runs and no leases: only the traffic invariant applies to it.
      unsafeTrafficSeconds: auditWorld({ world, from: t0, to: servedAt, runs: [], grants: [] }).invariants.unsafeTrafficSeconds,
    };
  });
}
