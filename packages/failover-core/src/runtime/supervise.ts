import type { DrConfig } from '../config/schema.js';
import {
  describeReadings,
  impairmentEstimate,
  observeRound,
  roundFails,
  initialDetectorState,
  type DetectorRound,
  type DetectorState,
  type ImpairmentEstimate,
} from '../detector/detector.js';
import { describeError, isLeaseLost, isLockHeld, isVersionConflict } from '../errors.js';
import { isTerminal, type RunState } from '../machine/types.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Notification, Ports } from '../ports.js';
import type { Containment } from '../machine/containment.js';
import { containOnce, recordLook } from './containment.js';
import { retryable, Runner, type RunnerOptions } from './runner.js';
import { readSignals } from './signals.js';

/**
 * Runs `work`, or answers `busy()` when another controller holds the lease or took it mid-way
 * (a late write): what it was doing is theirs to carry on.
 */
async function unlessBusy<T>(work: () => Promise<T>, busy: () => T): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isLockHeld(e) || isLeaseLost(e)) return busy();
    throw e;
  }
}

/** What one containment attempt found or did. */
export type ContainmentOutcome =
  | { readonly status: 'none' }
  /** Another controller holds the lease, or a run is unfinished: not now. */
  | { readonly status: 'busy' }
  /** The region did not answer; tried again next time. */
  | { readonly status: 'unreachable'; readonly error: string }
  /** Calls made; done once a later look sees them applied. */
  | { readonly status: 'acted'; readonly containment: Containment }
  /** Seen done and cleared. */
  | { readonly status: 'contained'; readonly containment: Containment };

/**
 * One attempt at a pending containment by the controller, under the lease and only while no
 * run is unfinished (a run contains its own region as it goes): look, act, and clear the
 * containment once a look sees it done. Best effort, whenever the region's control plane answers.
 */
export async function containPending(
  options: Omit<RunnerOptions, 'onTransition' | 'approve' | 'beforeEvent'>,
): Promise<ContainmentOutcome> {
  const runner = new Runner(options);
  return unlessBusy<ContainmentOutcome>(
    async () => {
      const record = await runner.take();
      const pending = record.containment;
      if (!pending || (record.run && !isTerminal(record.run.phase))) {
        await runner.writeRecord((current) => current, true);
        return pending ? { status: 'busy' } : { status: 'none' };
      }
      let look;
      try {
        look = await containOnce(options.ports, options.config, pending, runner.containmentGuard);
      } catch (e) {
        await runner.writeRecord((current) => current, true);
        return { status: 'unreachable', error: describeError(e) };
      }
      const { containment, contained } = await recordLook(
        options.ports,
        options.config,
        pending,
        look,
        (next) => runner.writeRecord((current) => ({ ...current, containment: next }), true),
        true,
      );
      return { status: contained ? 'contained' : 'acted', containment };
    },
    () => ({ status: 'busy' }),
  );
}

/** What one controller invocation did. */
export type SupervisionAction =
  /** Probed (or contained); no failover needed, or the primary is no longer the active region. */
  | 'watched'
  /** Started a failover. */
  | 'started'
  /** Resumed an unfinished run. */
  | 'resumed'
  /** Another controller holds the lease. */
  | 'busy'
  /** An operator's unfinished run: theirs until the hold ends (the controller reminds every 15 minutes). */
  | 'held'
  /** The hold on an operator's run ended: the controller finished it (past its point of no return) or rolled it back. */
  | 'took-over'
  /** The detector's run waits for an operator's approval (`dr failover`); a reminder goes out every 15 minutes. */
  | 'awaiting-approval'
  /** A run's approval expired: it was refused, changing nothing. */
  | 'expired'
  /**
   * The primary fails while its database reports maintenance (a reboot, an upgrade): reported,
   * not failed over, until the impairment outlasts `detection.maintenanceSeconds`.
   */
  | 'maintenance'
  /** The invocation's scheduled event was older than one schedule interval (a late or retried delivery): ignored. */
  | 'stale-tick';

/** The result of {@link supervise}. */
export interface SupervisionResult {
  readonly action: SupervisionAction;
  readonly detector: DetectorState;
  readonly run?: RunState | undefined;
  readonly rounds: number;
  /** The last containment attempt of this invocation, if one was pending. */
  readonly containment?: ContainmentOutcome | undefined;
  /** For `held`: since when the operator's run has not moved, and when the hold ends and the controller takes it over (epoch ms). */
  readonly hold?: { readonly idleSince: number; readonly endsAt: number } | undefined;
  /** While the detector sees the primary failing: when the impairment began, as it estimates it. */
  readonly impairment?: ImpairmentEstimate | undefined;
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
  /**
   * When the schedule fired this invocation (the EventBridge event's `time`, epoch ms). An
   * invocation that starts more than {@link STALE_TICK_MS} after it is a late or retried delivery
   * (Lambda retries an asynchronous event for up to 6 hours) and does nothing.
   */
  readonly scheduledAt?: number | undefined;
}

/**
 * How late a scheduled invocation may start and still act: one schedule interval. A later one
 * is a delivery that was throttled and retried; newer invocations have already done its work.
 * Source: Lambda developer guide, "Asynchronous invocation" (retries for up to 6 hours).
 */
export const STALE_TICK_MS = 60_000;

/** The state store keys of an application. */
export const stateKeys = (app: string) => ({
  control: `app#${app}#control`,
  detector: `app#${app}#detector`,
  reminder: `app#${app}#reminder`,
  /** The controller's last invocation that finished: `ControllerHeartbeat`. */
  heartbeat: `app#${app}#heartbeat`,
  /** The last readiness evaluation: `ReadinessReport`. */
  readiness: `app#${app}#readiness`,
});

/** What the controller writes at the end of every invocation that finished (the readiness check "controller's last good run" reads it). */
export interface ControllerHeartbeat {
  /** Epoch ms the invocation finished. */
  readonly at: number;
  readonly action: SupervisionAction;
  /** The detector's verdict then, and whether it is armed. */
  readonly verdict: DetectorState['verdict'];
  readonly armed: boolean;
}

/** How often a run the controller waits on (an approval, an operator's hold) is announced again. */
const REMINDER_MS = 15 * 60_000;

/**
 * Sends `notification` once it is due: first at `firstAt`, then every reminder interval. Another
 * invocation sending the same reminder wins the compare-and-set; this one stays quiet. The
 * run's record is never touched for it (a parked run must not grow by a reminder a minute).
 */
async function remind(ports: Ports, key: string, about: string, firstAt: number, notification: Notification): Promise<void> {
  const now = ports.clock.now();
  const last = await ports.stateStore.read<{ at: number; about: string }>(key);
  const due = last?.value.about === about ? last.value.at + REMINDER_MS : firstAt;
  if (now < due) return;
  try {
    await ports.stateStore.write(key, { at: now, about }, last?.version ?? 0);
  } catch (e) {
    if (isVersionConflict(e)) return;
    throw e;
  }
  try {
    await ports.notifier.notify(notification);
  } catch {
    // A reminder lost is sent again next time.
  }
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

const minutes = (ms: number) => Math.round(ms / 60_000);

/** An unfinished run the controller did not start: hold, with reminders, until the hold ends; then take it over. */
async function holdOrTakeOver(options: SuperviseOptions, run: RunState, detector: DetectorState): Promise<SupervisionResult> {
  const { ports, config } = options;
  const keys = stateKeys(config.app);
  const holdMs = config.controller.operatorHoldSeconds * 1000;
  const idleSince = run.lastEventAt ?? run.triggeredAt;
  const verb = run.phase === 'failed' ? 'retries it' : run.committedAt === undefined ? 'rolls it back' : 'finishes it';
  const idle = ports.clock.now() - idleSince;
  if (idle < holdMs) {
    await remind(ports, keys.reminder, `hold:${run.runId}`, idleSince, {
      subject: `${run.operation} left unfinished: the controller is holding`,
      message: `run ${run.runId} (${run.operation}, ${run.phase}) was started by an operator and has not moved for ${minutes(idle)} min. While it is unfinished the controller starts no failover. Resume it with dr ${run.operation}; in ${minutes(holdMs - idle)} min the controller takes it over (${verb}).`,
      severity: 'warning',
      runId: run.runId,
    });
    return { action: 'held', detector, run, rounds: 0, hold: { idleSince, endsAt: idleSince + holdMs } };
  }
  return unlessBusy<SupervisionResult>(
    async () => {
      const reason = `the operator's run was unfinished for ${minutes(idle)} min (hold ${minutes(holdMs)} min)`;
      const outcome = await new Runner({ ...options, stateKey: keys.control }).takeOver(reason);
      await ports.notifier
        .notify({
          subject: `the controller took over ${run.operation} ${run.runId}`,
          message: `${reason}: the controller ${verb}. Now: ${outcome?.state.phase ?? 'finished elsewhere'}.`,
          severity: 'critical',
          runId: run.runId,
        })
        .catch(() => undefined);
      return { action: 'took-over', detector, run: outcome?.state, rounds: 0 };
    },
    () => ({ action: 'busy', detector, run, rounds: 0 }),
  );
}

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

/** Overwrites a record whatever its version (the newest writer wins); a lost write is written next time. */
async function writeLatest<T>(ports: Ports, key: string, value: T): Promise<void> {
  try {
    const stored = await ports.stateStore.read<T>(key);
    await ports.stateStore.write(key, value, stored?.version ?? 0);
  } catch {
    // Two invocations overlapped, or the table did not answer: the next one writes it.
  }
}

async function superviseOnce(options: SuperviseOptions): Promise<SupervisionResult> {
  const { ports, config } = options;
  const keys = stateKeys(config.app);
  const runner = () => new Runner({ ...options, stateKey: keys.control });
  let detector = (await ports.stateStore.read<DetectorState>(keys.detector))?.value ?? initialDetectorState;

  const record = (await Runner.read(ports, keys.control))?.value;
  const run = record?.run;
  const busy = (): SupervisionResult => ({ action: 'busy', detector, rounds: 0 });
  if (run && retryable(run)) {
    if (run.trigger !== 'detector') return holdOrTakeOver(options, run, detector);
    // Its own failover past the point of no return (or a rollback not finished): the world
    // may have changed (capacity back, a region answering); try again, every invocation.
    return unlessBusy<SupervisionResult>(
      async () => ({ action: 'resumed', detector, run: (await runner().retry())?.state, rounds: 0 }),
      busy,
    );
  }
  if (run && !isTerminal(run.phase)) {
    if (run.trigger !== 'detector') return holdOrTakeOver(options, run, detector);
    if (run.phase === 'awaiting-approval') {
      if (run.approvalExpiresAt !== undefined && ports.clock.now() >= run.approvalExpiresAt) {
        return unlessBusy<SupervisionResult>(
          async () => ({ action: 'expired', detector, run: (await runner().expireApproval())?.state, rounds: 0 }),
          busy,
        );
      }
      const requested = run.approvalRequestedAt ?? run.triggeredAt;
      await remind(ports, keys.reminder, `approval:${run.runId}`, requested + REMINDER_MS, {
        subject: `${run.operation} still awaits approval`,
        message: `run ${run.runId} has waited ${minutes(ports.clock.now() - requested)} minutes for an operator: approve it with dr ${run.operation} before it expires in ${minutes((run.approvalExpiresAt ?? 0) - ports.clock.now())} min`,
        severity: 'critical',
        runId: run.runId,
      });
      return { action: 'awaiting-approval', detector, run, rounds: 0 };
    }
    return unlessBusy<SupervisionResult>(
      async () => ({ action: 'resumed', detector, run: (await runner().resume())?.state, rounds: 0 }),
      busy,
    );
  }

  const interval = config.detection.intervalSeconds * 1000;
  const watching = (record?.active ?? 'primary') === 'primary';
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
      const triedThisTime = run !== undefined && run.triggeredAt >= (detector.downSince ?? Number.POSITIVE_INFINITY);
      const impairment = impairmentEstimate(detector);
      // Only on a round that itself fails: a verdict still `down` while the primary recovers
      // (hysteresis) never starts a run.
      if (detector.verdict === 'down' && !triedThisTime && impairment && roundFails(config.detection, round)) {
        const lasted = ports.clock.now() - impairment.at;
        // Maintenance explains the failure only if it was under way when the failure began, and
        // while the database still says so (or cannot be asked): a reboot RDS starts in the middle
        // of a regional failure (instance recovery) does not hold a failover back.
        // A database that reported available only just now may have an app a moment behind it.
        const since = detector.maintenanceSince;
        const stillMaintained = round.maintenance !== false || (detector.maintenanceSeenAt ?? 0) >= round.at - 2 * interval;
        if (
          since !== undefined &&
          since <= impairment.at + interval &&
          stillMaintained &&
          lasted < config.detection.maintenanceSeconds * 1000
        ) {
          await remind(ports, keys.reminder, `maintenance:${since}`, since, {
            subject: `${config.primary.region} fails during its database's maintenance`,
            message: `${config.primary.dbInstanceIdentifier} reports maintenance and the primary's health checks fail (${describeReadings(round)}). No failover while it lasts up to ${Math.round(config.detection.maintenanceSeconds / 60)} min; it has lasted ${Math.round(lasted / 60_000)} min.`,
            severity: 'warning',
          });
          // Keep watching: the round that sees the primary back must come as soon as it is.
          heldForMaintenance = true;
        } else {
          // Saved before the run starts: a crash between the two must not forget the verdict.
          await saveDetector(ports, keys.detector, detector);
          // Another invocation (a duplicate delivery) may have tried this impairment since this one began.
          const latest = (await Runner.read(ports, keys.control))?.value;
          const triedMeanwhile =
            latest?.run !== undefined &&
            (!isTerminal(latest.run.phase) || latest.run.triggeredAt >= (detector.downSince ?? Number.POSITIVE_INFINITY));
          if (triedMeanwhile || (latest?.active ?? 'primary') !== 'primary')
            return { action: 'busy', detector, rounds, containment, impairment };
          const runId = options.runId();
          return unlessBusy<SupervisionResult>(
            async () => {
              const outcome = await runner().start({
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
            },
            () => ({ action: 'busy', detector, rounds, containment, impairment }),
          );
        }
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
