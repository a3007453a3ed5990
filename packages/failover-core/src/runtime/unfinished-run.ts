/**
 * What the controller does with a run already under way: its own is resumed, retried, or waits
 * for an operator's approval (with reminders, refused once it expires); an operator's is held
 * for `controller.operatorHoldSeconds`, with reminders, then taken over.
 */
import type { DetectorState } from '../detector/detector.js';
import { isVersionConflict } from '../errors.js';
import { stateKeys, type SuperviseOptions, type SupervisionResult } from './supervision.js';
import type { RunState } from '../machine/types.js';
import type { Ports, Notification } from '../ports.js';
import { unlessBusy } from './contain-pending.js';
import { retryable, Runner } from './runner.js';

/** How often a run the controller waits on (an approval, an operator's hold) is announced again. */
const REMINDER_MS = 15 * 60_000;

/**
 * Sends `notification` once it is due: first at `firstAt`, then every reminder interval. Another
 * invocation sending the same reminder wins the compare-and-set; this one stays quiet. The
 * run's record is never touched for it (a parked run must not grow by a reminder a minute).
 */
export async function remind(ports: Ports, key: string, about: string, firstAt: number, notification: Notification): Promise<void> {
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

const minutes = (ms: number) => Math.round(ms / 60_000);

/** An unfinished run the controller did not start: hold, with reminders, until the hold ends; then take it over. */
export async function holdOrTakeOver(options: SuperviseOptions, run: RunState, detector: DetectorState): Promise<SupervisionResult> {
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
 * An unfinished run, or a failed one that may go on. An operator's is held, then taken over
 * ({@link holdOrTakeOver}); the controller's own is retried (past its point of no return, or a
 * rollback not finished), refused once its approval expired, reminded about while it awaits
 * one, or resumed.
 */
export async function continueUnfinished(options: SuperviseOptions, run: RunState, detector: DetectorState): Promise<SupervisionResult> {
  if (run.trigger !== 'detector') return holdOrTakeOver(options, run, detector);
  const { ports } = options;
  const keys = stateKeys(options.config.app);
  const runner = () => new Runner({ ...options, stateKey: keys.control });
  const busy = (): SupervisionResult => ({ action: 'busy', detector, rounds: 0 });
  if (retryable(run)) {
    // Its own failover past the point of no return (or a rollback not finished): the world
    // may have changed (capacity back, a region answering); try again, every invocation.
    return unlessBusy<SupervisionResult>(
      async () => ({ action: 'resumed', detector, run: (await runner().retry())?.state, rounds: 0 }),
      busy,
    );
  }
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
