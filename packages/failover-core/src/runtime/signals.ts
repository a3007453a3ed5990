import type { DrConfig } from '../config/schema.js';
import { describeReadings, roundFails, type DetectorRound, type SignalReading } from '../detector/detector.js';
import type { PreconditionProblem } from '../machine/types.js';
import { dbRef, groupRef } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';

/**
 * How old the evidence behind a signal's reading may be, for signals whose API does not say:
 * Global Accelerator follows the ALB's target health, checked every 5 s as the constructs set it,
 * with a lag AWS does not publish (the simulator's `gaFollowsAlbMs`); a CloudWatch alarm
 * evaluates whole 1-minute periods. Source: ELB user guide, "Health checks for Application Load
 * Balancer target groups"; CloudWatch user guide, "Using Amazon CloudWatch alarms".
 */
export const SIGNAL_EVIDENCE_AGE_MS = { 'endpoint-health': 5_000, alarm: 60_000 } as const;

/**
 * RDS `DBInstanceStatus` values that mean planned work on the instance rather than a failure.
 * Source: RDS user guide, "Viewing Amazon RDS DB instance status".
 */
export const MAINTENANCE_STATUSES: ReadonlySet<string> = new Set([
  'rebooting',
  'maintenance',
  'upgrading',
  'modifying',
  'renaming',
  'starting',
]);

/** Waits for `work` up to `ms`; undefined when it did not answer by then (or failed). */
async function answerWithin<T>(ports: Ports, ms: number, work: () => Promise<T>): Promise<T | undefined> {
  return Promise.race([work().catch(() => undefined), ports.clock.sleep(ms).then(() => undefined)]);
}

/**
 * Reads every configured signal about the primary region once, concurrently, each within the
 * probe timeout (a signal whose API does not answer by then reads `unknown`), and whether the
 * primary's database reports maintenance. Never throws.
 */
export async function readSignals(ports: Ports, config: DrConfig): Promise<DetectorRound> {
  const { primary, detection } = config;
  // Ages count from the round's start: a probe that times out saw nothing after it either.
  const at = ports.clock.now();
  const budget = detection.probeTimeoutSeconds * 1000;
  const wanted = new Set(detection.signals);
  const readings: DetectorRound['readings'] = {};
  const unknown: SignalReading = { state: 'unknown', ageMs: 0 };
  const tasks: Promise<void>[] = [];
  if (wanted.has('probe')) {
    tasks.push(
      ports.probe
        .check({ url: primary.healthCheckUrl, timeoutMs: budget })
        .then((r) => void (readings.probe = { state: r.ok ? 'up' : 'down', ageMs: 0 }))
        .catch(() => void (readings.probe = { state: 'down', ageMs: 0 })),
    );
  }
  const route53 = primary.route53HealthCheck;
  if (wanted.has('route53')) {
    tasks.push(
      answerWithin(ports, budget, async () => (route53 ? ports.healthChecks.status(route53) : undefined)).then(
        (r) => void (readings.route53 = r ? { state: r.healthy ? 'up' : 'down', ageMs: r.ageMs } : unknown),
      ),
    );
  }
  if (wanted.has('endpoint-health')) {
    tasks.push(
      answerWithin(ports, budget, () => ports.traffic.describe(groupRef(primary))).then(
        (g) =>
          void (readings['endpoint-health'] = g
            ? { state: g.healthy ? 'up' : 'down', ageMs: SIGNAL_EVIDENCE_AGE_MS['endpoint-health'] }
            : unknown),
      ),
    );
  }
  if (wanted.has('alarm')) {
    const alarmName = primary.availabilityAlarmName;
    tasks.push(
      // A primary region that cannot answer for its own alarm says nothing either way.
      answerWithin(ports, budget, async () =>
        alarmName === undefined ? undefined : ports.alarms.state({ region: primary.region, alarmName }),
      ).then(
        (s) =>
          void (readings.alarm =
            s === 'ALARM'
              ? { state: 'down', ageMs: SIGNAL_EVIDENCE_AGE_MS.alarm }
              : s === 'OK'
                ? { state: 'up', ageMs: SIGNAL_EVIDENCE_AGE_MS.alarm }
                : unknown),
      ),
    );
  }
  let maintenance: boolean | undefined;
  tasks.push(
    answerWithin(ports, budget, () => ports.database.describe(dbRef(primary))).then(
      (db) => void (maintenance = db?.exists ? MAINTENANCE_STATUSES.has(db.status) : undefined),
    ),
  );
  await Promise.all(tasks);
  return { at, readings, maintenance };
}

/**
 * Before an approved detector run changes anything (time has passed since the detector's
 * verdict), one fresh round of the signals must still find the primary failing: a quorum of
 * them down. Otherwise the impairment is over, and the run must not promote a replica of a
 * healthy primary.
 */
export async function confirmImpairment(ports: Ports, config: DrConfig): Promise<PreconditionProblem | undefined> {
  const round = await readSignals(ports, config);
  if (roundFails(config.detection, round)) return undefined;
  return { kind: 'recovered', message: `the primary no longer looks impaired (${describeReadings(round)})` };
}
