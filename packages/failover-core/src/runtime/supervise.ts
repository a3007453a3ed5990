/**
 * The controller's one invocation (the failover Lambda's body): carry on an unfinished run, or
 * watch the primary and start a failover when the detector finds it down.
 *
 * Reading order: `supervise` here, then `watch` and `onDown`; `unfinished-run.ts` for a run
 * already under way (resume, retry, approval, an operator's hold); `contain-pending.ts` for the
 * containment tried each round; `supervision.ts` for the options, the result and the state keys.
 */
import {
  describeReadings,
  impairmentEstimate,
  observeRound,
  roundFails,
  initialDetectorState,
  type DetectorState,
  type ImpairmentEstimate,
  type DetectorRound,
} from '../detector/detector.js';
import { isVersionConflict } from '../errors.js';
import { isTerminal } from '../machine/types.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';
import { retryable, Runner } from './runner.js';
import { readSignals } from './signals.js';
import { stateKeys, STALE_TICK_MS, type ControllerHeartbeat, type SuperviseOptions, type SupervisionResult } from './supervision.js';
import { unlessBusy, type ContainmentOutcome, containPending } from './contain-pending.js';
import { remind, continueUnfinished } from './unfinished-run.js';
import type { ControlRecord } from './lease.js';

export { stateKeys, STALE_TICK_MS } from './supervision.js';
export type { ControllerHeartbeat, SuperviseOptions, SupervisionAction, SupervisionResult } from './supervision.js';
export { containPending, type ContainmentOutcome } from './contain-pending.js';

/**
 * One controller invocation (the failover Lambda's body):
 * - an unfinished run it started: resume it; one awaiting approval: remind, or refuse it once
 *   the approval has expired; an operator's: hold (with reminders) for
 *   `controller.operatorHoldSeconds`, then take it over;
 * - otherwise, with the primary active, probe it every `detection.intervalSeconds` until
 *   `probeUntil`, feeding the detector, and start a failover when its verdict turns `down`;
 * - and, whenever a region is left to contain, try to contain it each round.
 * The detector's state is kept in the state store between invocations. Failback is never
 * started here.
 */
export async function supervise(options: SuperviseOptions): Promise<SupervisionResult> {
  const { ports, config } = options;
  if (options.scheduledAt !== undefined && ports.clock.now() - options.scheduledAt > STALE_TICK_MS) {
    const detector = (await ports.stateStore.read<DetectorState>(stateKeys(config.app).detector))?.value ?? initialDetectorState;
    return { action: 'stale-tick', detector, rounds: 0 };
  }
  const result = await superviseOnce(options);
  const heartbeat: ControllerHeartbeat = {
    at: ports.clock.now(),
    action: result.action,
    verdict: result.detector.verdict,
    armed: result.detector.armed === true,
  };
  await writeLatest(ports, stateKeys(config.app).heartbeat, heartbeat);
  return result;
}

/** Carries on an unfinished run if there is one; otherwise watches the primary (and contains what is pending). */
async function superviseOnce(options: SuperviseOptions): Promise<SupervisionResult> {
  const { ports, config } = options;
  const keys = stateKeys(config.app);
  const detector = (await ports.stateStore.read<DetectorState>(keys.detector))?.value ?? initialDetectorState;
  const record = (await Runner.read(ports, keys.control))?.value;
  const run = record?.run;
  if (run && (retryable(run) || !isTerminal(run.phase))) return continueUnfinished(options, run, detector);
  return watch(options, record, detector);
}

/**
 * Probes the primary (while it is the active region) every `detection.intervalSeconds` until
 * `probeUntil`, feeding the detector, and tries any pending containment each round. Ends early
 * when a down round starts a failover (or finds another controller at it).
 */
async function watch(options: SuperviseOptions, record: ControlRecord | undefined, first: DetectorState): Promise<SupervisionResult> {
  const { ports, config } = options;
  const keys = stateKeys(config.app);
  const interval = config.detection.intervalSeconds * 1000;
  const watching = (record?.active ?? 'primary') === 'primary';
  let detector = first;
  let containment: ContainmentOutcome | undefined;
  let pending = record?.containment !== undefined;
  let rounds = 0;
  let heldForMaintenance = false;
  while (ports.clock.now() + config.detection.probeTimeoutSeconds * 1000 <= options.probeUntil && (watching || pending)) {
    const started = ports.clock.now();
    if (pending) {
      containment = await containPending({ ...options, stateKey: keys.control });
      pending = containment.status !== 'contained' && containment.status !== 'none';
    }
    if (watching) {
      const round = await readSignals(ports, config);
      detector = observeRound(detector, config.detection, round);
      rounds++;
      options.onRound?.(round, detector);
      // Start on any round that finds the region down with no run yet for this impairment, not
      // only on the round the verdict changed: an invocation that saved "down" and died before
      // starting must not leave the next ones watching a dead region forever. A run already
      // tried for this impairment (refused or failed) is not retried unattended.
      const run = record?.run;
      const triedThisTime = run !== undefined && run.triggeredAt >= (detector.downSince ?? Number.POSITIVE_INFINITY);
      const impairment = impairmentEstimate(detector);
      // Only on a round that itself fails: a verdict still `down` while the primary recovers
      // (hysteresis) never starts a run.
      if (detector.verdict === 'down' && !triedThisTime && impairment && roundFails(config.detection, round)) {
        const down = await onDown(options, { detector, round, impairment, rounds, containment });
        if (down !== 'maintenance') return down;
        // Keep watching: the round that sees the primary back must come as soon as it is.
        heldForMaintenance = true;
      }
    }
    const next = Math.max(ports.clock.now(), started + interval);
    // No sleeping past the window: the detector's state is saved now, before the next invocation reads it.
    if (next + config.detection.probeTimeoutSeconds * 1000 > options.probeUntil) break;
    await ports.clock.sleep(next - ports.clock.now());
  }
  if (watching) await saveDetector(ports, keys.detector, detector);
  return {
    action: heldForMaintenance ? 'maintenance' : 'watched',
    detector,
    rounds,
    containment,
    impairment: impairmentEstimate(detector),
  };
}

/** Where watching stands when a round finds the primary down. */
interface DownRound {
  readonly detector: DetectorState;
  readonly round: DetectorRound;
  readonly impairment: ImpairmentEstimate;
  readonly rounds: number;
  readonly containment: ContainmentOutcome | undefined;
}

/**
 * A round found the primary down: hold back while its database's maintenance explains it
 * (`'maintenance'`, with a reminder), else start the failover, unless another invocation has
 * tried this impairment meanwhile.
 */
async function onDown(options: SuperviseOptions, down: DownRound): Promise<SupervisionResult | 'maintenance'> {
  const { ports, config } = options;
  const { detector, round, impairment, rounds, containment } = down;
  const keys = stateKeys(config.app);
  const interval = config.detection.intervalSeconds * 1000;
  const lasted = ports.clock.now() - impairment.at;
  // Maintenance explains the failure only if it was under way when the failure began, and
  // while the database still says so (or cannot be asked): a reboot RDS starts in the middle
  // of a regional failure (instance recovery) does not hold a failover back.
  // A database that reported available only just now may have an app a moment behind it.
  const since = detector.maintenanceSince;
  const stillMaintained = round.maintenance !== false || (detector.maintenanceSeenAt ?? 0) >= round.at - 2 * interval;
  if (since !== undefined && since <= impairment.at + interval && stillMaintained && lasted < config.detection.maintenanceSeconds * 1000) {
    await remind(ports, keys.reminder, `maintenance:${since}`, since, {
      subject: `${config.primary.region} fails during its database's maintenance`,
      message: `${config.primary.dbInstanceIdentifier} reports maintenance and the primary's health checks fail (${describeReadings(round)}). No failover while it lasts up to ${Math.round(config.detection.maintenanceSeconds / 60)} min; it has lasted ${Math.round(lasted / 60_000)} min.`,
      severity: 'warning',
    });
    return 'maintenance';
  }
  // Saved before the run starts: a crash between the two must not forget the verdict.
  await saveDetector(ports, keys.detector, detector);
  // Another invocation (a duplicate delivery) may have tried this impairment since this one began.
  const latest = (await Runner.read(ports, keys.control))?.value;
  const triedMeanwhile =
    latest?.run !== undefined &&
    (!isTerminal(latest.run.phase) || latest.run.triggeredAt >= (detector.downSince ?? Number.POSITIVE_INFINITY));
  const busy = (): SupervisionResult => ({ action: 'busy', detector, rounds, containment, impairment });
  if (triedMeanwhile || (latest?.active ?? 'primary') !== 'primary') return busy();
  const runId = options.runId();
  return unlessBusy<SupervisionResult>(async () => {
    const outcome = await new Runner({ ...options, stateKey: keys.control }).start({
      runId,
      operation: 'failover',
      plan: buildPlan(config, 'failover', { runTag: runId, confirmImpairment: true }),
      maxDataLossSeconds: config.objectives.maxDataLossSeconds,
      force: options.force,
      approvalRequired: config.approval.required,
      impairedAt: impairment.at,
      trigger: 'detector',
    });
    return { action: 'started', detector, run: outcome.state, rounds, containment, impairment };
  }, busy);
}

async function saveDetector(ports: Ports, key: string, state: DetectorState): Promise<void> {
  const stored = await ports.stateStore.read<DetectorState>(key);
  try {
    await ports.stateStore.write(key, state, stored?.version ?? 0);
  } catch (e) {
    // Two invocations overlapped; the other's view is as good as ours.
    if (!isVersionConflict(e)) throw e;
  }
}

/** Overwrites a record whatever its version (the newest writer wins); a lost write is written next time. */
async function writeLatest<T>(ports: Ports, key: string, value: T): Promise<void> {
  try {
    const stored = await ports.stateStore.read<T>(key);
    await ports.stateStore.write(key, value, stored?.version ?? 0);
  } catch {
    // Two invocations overlapped, or the table did not answer: the next one writes it.
  }
}
