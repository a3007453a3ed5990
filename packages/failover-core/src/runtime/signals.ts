import type { DrConfig } from '../config/schema.js';
import { roundFails, type DetectorRound, type SignalReading } from '../detector/detector.js';
import type { PreconditionProblem } from '../machine/types.js';
import { groupRef } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';

/** Reads every configured signal about the primary region once, concurrently. Never throws. */
export async function readSignals(ports: Ports, config: DrConfig): Promise<DetectorRound> {
  const { primary, detection } = config;
  const wanted = new Set(detection.signals);
  const readings: DetectorRound['readings'] = {};
  const tasks: Promise<void>[] = [];
  if (wanted.has('probe')) {
    tasks.push(
      ports.probe
        .check({ url: primary.healthCheckUrl, timeoutMs: detection.probeTimeoutSeconds * 1000 })
        .then((r) => void (readings.probe = r.ok ? 'up' : 'down'))
        .catch(() => void (readings.probe = 'down')),
    );
  }
  if (wanted.has('endpoint-health')) {
    tasks.push(
      ports.traffic
        .describe(groupRef(primary))
        .then((g) => void (readings['endpoint-health'] = g.healthy ? 'up' : 'down'))
        .catch(() => void (readings['endpoint-health'] = 'unknown')),
    );
  }
  if (wanted.has('alarm')) {
    const alarmName = primary.availabilityAlarmName;
    if (alarmName === undefined) readings.alarm = 'unknown';
    else {
      tasks.push(
        ports.alarms
          .state({ region: primary.region, alarmName })
          .then((s) => void (readings.alarm = (s === 'ALARM' ? 'down' : s === 'OK' ? 'up' : 'unknown') satisfies SignalReading))
          // A primary region that cannot answer for its own alarm says nothing either way.
          .catch(() => void (readings.alarm = 'unknown')),
      );
    }
  }
  await Promise.all(tasks);
  return { at: ports.clock.now(), readings };
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
  const readings = Object.entries(round.readings).map(([k, v]) => `${k} ${v}`).join(', ');
  return { kind: 'recovered', message: `the primary no longer looks impaired (${readings})` };
}
