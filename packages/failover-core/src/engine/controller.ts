import type { DrConfig } from '../config/schema.js';
import { observeRound, initialDetectorState, type DetectorRound, type DetectorState, type SignalReading } from '../detector/detector.js';
import { isLockHeld, isVersionConflict } from '../errors.js';
import { buildPlan, groupRef } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';
import { Runner, type RunnerOptions } from './runner.js';
import type { RunState } from './types.js';

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

/** What one controller invocation did. */
export type SupervisionAction =
  /** Probed; no failover needed (or the primary is no longer the active region). */
  | 'watched'
  /** Started a failover. */
  | 'started'
  /** Resumed an unfinished run. */
  | 'resumed'
  /** Another controller holds the lease. */
  | 'busy'
  /** The unfinished run is an operator's (started or stopped from `dr`): theirs to resume, not ours. */
  | 'held'
  /** The detector's run waits for an operator's approval (`dr failover`); a reminder goes out every 15 minutes. */
  | 'awaiting-approval';

/** The result of {@link supervise}. */
export interface SupervisionResult {
  readonly action: SupervisionAction;
  readonly detector: DetectorState;
  readonly run?: RunState | undefined;
  readonly rounds: number;
}

/** Options for {@link supervise}. */
export interface SuperviseOptions extends Omit<RunnerOptions, 'stateKey'> {
  readonly config: DrConfig;
  /** Stop probing at this epoch-ms time (for a Lambda: its deadline less a margin). */
  readonly probeUntil: number;
  /** Called after every detector round. */
  readonly onRound?: (round: DetectorRound, state: DetectorState) => void;
  /** Builds run ids; must be unique per run. */
  readonly runId: () => string;
  /**
   * Start the failover past the RPO guard. The Lambda never sets this; it models an operator's
   * forced failover in a drill.
   */
  readonly force?: boolean;
}

/** The state store keys of an application. */
export const stateKeys = (app: string) => ({ control: `app#${app}#control`, detector: `app#${app}#detector`, reminder: `app#${app}#approval-reminder` });

/** How often a run awaiting approval is announced again. */
const APPROVAL_REMINDER_MS = 15 * 60_000;

/**
 * Announces a run awaiting approval again when the last announcement is older than the reminder
 * interval. The run's record is not touched: a parked run must not grow by a minute-by-minute resume.
 */
async function remindApproval(ports: Ports, key: string, run: RunState): Promise<void> {
  const now = ports.clock.now();
  const last = await ports.stateStore.read<{ at: number }>(key);
  const parkedAt = run.timeline.findLast((e) => e.kind === 'approval-requested')?.at ?? run.triggeredAt;
  if (now - Math.max(last?.value.at ?? 0, parkedAt) < APPROVAL_REMINDER_MS) return;
  try {
    await ports.stateStore.write(key, { at: now }, last?.version ?? 0);
  } catch (e) {
    // Another invocation is sending this reminder.
    if (isVersionConflict(e)) return;
    throw e;
  }
  await ports.notifier.notify({
    subject: `${run.operation} still awaits approval`,
    message: `run ${run.runId} has waited ${Math.round((now - parkedAt) / 60_000)} minutes for an operator: approve it with dr ${run.operation}`,
    severity: 'critical',
    runId: run.runId,
  });
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

/**
 * One controller invocation (the failover Lambda's body): resume an unfinished run if there is
 * one; otherwise probe the primary every `detection.intervalSeconds` until `probeUntil`, feeding the
 * detector, and start a failover when its verdict turns `down`. The detector's state is kept in
 * the state store between invocations. Failback is never started here.
 */
export async function supervise(options: SuperviseOptions): Promise<SupervisionResult> {
  const { ports, config } = options;
  const keys = stateKeys(config.app);
  const runner = () => new Runner({ ...options, stateKey: keys.control });
  let detector = (await ports.stateStore.read<DetectorState>(keys.detector))?.value ?? initialDetectorState;

  const record = await Runner.read(ports, keys.control);
  const run = record?.value.run;
  const unfinished = run && !['completed', 'failed', 'refused'].includes(run.phase);
  if (unfinished && run.trigger !== 'detector') return { action: 'held', detector, run, rounds: 0 };
  if (unfinished && run.phase === 'awaiting-approval') {
    await remindApproval(ports, keys.reminder, run);
    return { action: 'awaiting-approval', detector, run, rounds: 0 };
  }
  if (unfinished) {
    try {
      const outcome = await runner().resume();
      return { action: 'resumed', detector, run: outcome?.state, rounds: 0 };
    } catch (e) {
      if (isLockHeld(e)) return { action: 'busy', detector, rounds: 0 };
      throw e;
    }
  }
  if ((record?.value.active ?? 'primary') !== 'primary') return { action: 'watched', detector, rounds: 0 };

  const interval = config.detection.intervalSeconds * 1000;
  let rounds = 0;
  while (ports.clock.now() + config.detection.probeTimeoutSeconds * 1000 <= options.probeUntil) {
    const started = ports.clock.now();
    const round = await readSignals(ports, config);
    detector = observeRound(detector, config.detection, round);
    rounds++;
    options.onRound?.(round, detector);
    // Start on any round that finds the region down with no run yet for this impairment, not
    // only on the round the verdict changed: an invocation that saved "down" and died before
    // starting must not leave the next ones watching a dead region forever. A run already
    // tried for this impairment (refused or failed) is not retried unattended.
    const lastRun = record?.value.run;
    const triedThisTime = lastRun !== undefined && lastRun.triggeredAt >= (detector.downSince ?? Number.POSITIVE_INFINITY);
    if (detector.verdict === 'down' && !triedThisTime) {
      await saveDetector(ports, keys.detector, detector);
      const runId = options.runId();
      try {
        const outcome = await runner().start({
          runId,
          operation: 'failover',
          plan: buildPlan(config, 'failover', { runTag: runId }),
          maxDataLossSeconds: config.objectives.maxDataLossSeconds,
          force: options.force,
          approvalRequired: config.approval.required,
          impairedAt: detector.suspectSince,
          trigger: 'detector',
        });
        return { action: 'started', detector, run: outcome.state, rounds };
      } catch (e) {
        if (isLockHeld(e)) return { action: 'busy', detector, rounds };
        throw e;
      }
    }
    await ports.clock.sleep(Math.max(0, started + interval - ports.clock.now()));
  }
  await saveDetector(ports, keys.detector, detector);
  return { action: 'watched', detector, rounds };
}
