/**
 * The state machine of a run: `transition(state, event) → { state, commands }`. Pure: it
 * performs nothing and reads no clock (every time comes in on the event); the runner persists
 * the returned state with compare-and-set, then performs the commands through the ports.
 *
 * | phase             | event                               | next phase, and what follows                                           |
 * |-------------------|-------------------------------------|-------------------------------------------------------------------------|
 * | evaluating        | preconditions-evaluated             | refused (a blocking problem) · awaiting-approval · running (step 1)     |
 * | evaluating        | approval-granted                    | (recorded; no approval is asked for later)                              |
 * | awaiting-approval | approval-granted                    | evaluating again (preconditions, and the detector's verdict for a run   |
 * |                   |                                     | it started) · refused if the approval came after it expired             |
 * | awaiting-approval | approval-expired · abort-requested  | refused: nothing was changed                                            |
 * | running           | observed · acted · act-failed ·     | the block advances; a step ends when its required blocks are done       |
 * |                   | observe-failed · timer-fired        | (best-effort ones still going are skipped); after the last: completed   |
 * | running           | a required block fails              | failed, after the point of no return · rolling-back before it           |
 * | running           | abort-requested                     | rolling-back before the point of no return · a note after it            |
 * | rolling-back      | block events of the undo blocks     | one undo step at a time, newest change first; then rolled-back, or      |
 * |                   |                                     | failed if an undo could not be done                                     |
 * | failed            | retry-requested                     | running from the failed block (past the point of no return) ·           |
 * |                   |                                     | rolling-back again over the undos not done                              |
 * | any unfinished    | resumed                             | every unfinished block of the step is observed before anything is done  |
 * | terminal          | anything else                       | unchanged                                                               |
 *
 * The point of no return is the first call of the block marked `commits` (a failover's
 * promotion; a planned handover's lift of the target's fence), or any sign that it took effect.
 *
 * Timeouts and waits:
 * - a block fails when it is not done `timeoutSeconds` after it started, in wall time: a crashed
 *   or handed-over controller's time counts;
 * - before the point of no return, a required block whose region has not answered for the run's
 *   `unreachableSeconds` fails the run at once (rolling it back is cheaper than waiting); a
 *   best-effort block is skipped under the same rule, or at its own (short) timeout;
 * - a mutating call that shows no effect is repeated only after `settleMs` when its effect may
 *   lag (the waiter race of a promotion, a rename, a reboot); one whose effect shows at once
 *   (weights, dials, capacity, a parameter) is repeated at once;
 * - a failed call is retried after a backoff from `backoffMs` doubling to `maxBackoffMs`;
 * - an approval expires `approvalTimeoutSeconds` after it was requested.
 *
 * Events that do not fit the current state (duplicated, delayed, from a stale tick) change
 * nothing, so redelivery is harmless.
 */
import { isMutating, showsAtOnce, type BlockAction, type PlanBlock } from '../plan/types.js';
import { assertNever } from '../util/assert-never.js';
import { assess, priorOf } from './assess.js';
import { measureRun } from './measures.js';
import { rollbackSteps } from './rollback.js';
import {
  activeSteps,
  everyBlock,
  findBlock,
  freshBlock,
  isUndo,
  log,
  planBlocks,
  regionOf,
  stepOf,
  unchanged,
  undoBlocks,
  withBlock,
} from './run-state.js';
import { summarizeRun } from './summary.js';
import {
  DEFAULT_ENGINE_SETTINGS,
  isTerminal,
  type BlockState,
  type Command,
  type EngineSettings,
  type FailureCause,
  type Observation,
  type RunEvent,
  type RunState,
  type Transition,
} from './types.js';

export { startRun } from './run-state.js';

/**
 * What a retried block forgets: its failures, its error, and when it started and ended, so its
 * time is measured from the retry. Its tick, attempts and intent stay.
 */
const RETRY_RESET: Partial<BlockState> = {
  status: 'pending',
  failures: 0,
  startedAt: undefined,
  endedAt: undefined,
  error: undefined,
  unreachableSince: undefined,
};

/** Deterministic jitter in [0.5, 1): enough to spread retries of parallel blocks, with no randomness in the core. */
function jitter(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return 0.5 + ((h >>> 0) % 1000) / 2000;
}

function backoff(state: RunState, blockId: string, failures: number, s: EngineSettings): number {
  const base = Math.min(s.maxBackoffMs, s.backoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * jitter(`${state.runId}/${blockId}/${failures}`));
}

/**
 * The one guard on block events: the run works blocks (running or rolling back), and the block
 * is in the status the event answers, at the same tick. Anything else is stale or duplicated.
 */
function awaiting(
  state: RunState,
  event: { readonly blockId: string; readonly tick: number },
  status: BlockState['status'],
): BlockState | undefined {
  if (state.phase !== 'running' && state.phase !== 'rolling-back') return undefined;
  const b = state.blocks[event.blockId];
  return b?.status === status && b.tick === event.tick ? b : undefined;
}

/**
 * Safety, checked here rather than trusted to plan order: a block that opens traffic to a region
 * may act only once that region's database is writable and its capacity healthy; an undo that
 * gives traffic back to a region, only once that region's write fence is restored.
 */
function trafficGuard(state: RunState, block: PlanBlock): string | undefined {
  const a = block.action;
  const opens = (a.kind === 'set-endpoint-weight' && a.weight > 0) || (a.kind === 'set-traffic-dial' && a.percent > 0);
  if (!opens) return undefined;
  const region = a.group.region;
  const status = (b: PlanBlock) => state.blocks[b.id]?.status;
  if (isUndo(state, block.id)) {
    const fenceUndos = undoBlocks(state).filter((b) => b.action.kind === 'set-write-fence' && b.action.db.region === region);
    return fenceUndos.every((b) => status(b) === 'done')
      ? undefined
      : `refusing to give traffic back to ${region} before its write fence is restored`;
  }
  const planned = planBlocks(state);
  const writable = planned.some((b) => b.action.kind === 'await-writable' && b.action.db.region === region && status(b) === 'done');
  const healthy = planned.some((b) => b.action.kind === 'await-healthy' && b.action.asg.region === region && status(b) === 'done');
  return writable && healthy ? undefined : `refusing to send traffic to ${region} before its database is writable and its capacity healthy`;
}

/**
 * The confirmation a block would act on, when that look is no longer fresh: before the point of
 * no return, every change after a detector run's confirmation must follow a look at most its
 * `freshSeconds` old. A run resumed after a crash, or a step that took long, looks again first.
 */
function staleConfirmation(state: RunState, block: PlanBlock, at: number): PlanBlock | undefined {
  if (state.committedAt !== undefined || state.phase !== 'running' || !isMutating(block.action)) return undefined;
  const steps = activeSteps(state);
  const confirmIndex = steps.findIndex((st) => st.blocks.some((b) => b.action.kind === 'await-impairment'));
  if (confirmIndex === -1 || state.stepIndex <= confirmIndex) return undefined;
  const confirm = steps[confirmIndex]!.blocks.find((b) => b.action.kind === 'await-impairment')!;
  const endedAt = state.blocks[confirm.id]?.endedAt;
  const freshMs = (confirm.action.kind === 'await-impairment' ? confirm.action.freshSeconds : 0) * 1000;
  return endedAt === undefined || at - endedAt > freshMs ? confirm : undefined;
}

/** Sends the run back to its confirmation step; what the steps after it were doing starts over once it is done again. */
function reconfirm(state: RunState, confirm: PlanBlock, at: number): Transition {
  const steps = activeSteps(state);
  const confirmIndex = steps.findIndex((st) => st.blocks.some((b) => b.id === confirm.id));
  let next = state;
  for (const step of steps.slice(confirmIndex + 1, state.stepIndex + 1)) {
    for (const b of step.blocks) {
      const current = next.blocks[b.id];
      // A tick past any look or call in flight makes its answer stale.
      if (current && !settled(current)) next = withBlock(next, b.id, { status: 'pending', tick: current.tick + 1 });
    }
  }
  const ended = state.blocks[confirm.id]?.endedAt;
  next = withBlock(next, confirm.id, { ...RETRY_RESET, tick: (next.blocks[confirm.id]?.tick ?? 0) + 1 });
  next = log(next, {
    at,
    kind: 'retried',
    stepId: steps[confirmIndex]?.id,
    blockId: confirm.id,
    message: `the impairment was last confirmed ${ended === undefined ? 'never' : `${Math.round((at - ended) / 1000)} s ago`}: looking again before the point of no return`,
  });
  return startStep(next, confirmIndex, at);
}

const notify = (state: RunState, subject: string, message: string, severity: 'info' | 'warning' | 'critical'): Command => ({
  kind: 'notify',
  notification: { subject, message, severity, runId: state.runId },
});

/** What the completion notice says: where traffic is now, and the run's RTO and RPO. */
function completionMessage(run: RunState): string {
  const summary = summarizeRun(run);
  if (run.operation === 'rebuild') return `${summary.now} (run ${run.runId}). Next: ${summary.next}`;
  const { rtoSeconds, rpoSeconds, durationSeconds } = measureRun(run);
  const parts = [`${run.plan.toRegion} now serves traffic (${run.operation} from ${run.plan.fromRegion}, run ${run.runId}).`];
  if (rtoSeconds !== null) parts.push(`RTO ${rtoSeconds} s.`);
  if (durationSeconds !== null) parts.push(`The run took ${durationSeconds} s.`);
  if (rpoSeconds !== null)
    parts.push(`RPO ${rpoSeconds} s (replica lag at promotion)${run.rpoRisked ? ', past the objective: forced' : ''}.`);
  parts.push(summary.now, `Next: ${summary.next}`);
  return parts.join(' ');
}

function finish(state: RunState, at: number): Transition {
  if (state.phase === 'rolling-back') {
    const undos = undoBlocks(state);
    const failed = undos.filter((b) => state.blocks[b.id]?.status === 'failed');
    const phase = failed.length > 0 ? 'failed' : 'rolled-back';
    const message =
      failed.length > 0
        ? `rollback incomplete: ${failed.map((b) => b.id).join(', ')} could not be done`
        : `rolled back: ${state.rollback?.reason ?? ''}`;
    const next = log(
      { ...state, phase, stepIndex: state.rollback?.steps.length ?? 0 },
      { at, kind: phase === 'failed' ? 'failed' : 'rolled-back', message },
    );
    const summary = summarizeRun(next);
    return {
      state: next,
      commands: [
        notify(
          next,
          `${state.operation} ${phase === 'failed' ? 'failed; rollback incomplete' : 'rolled back'}`,
          `${summary.now} Next: ${summary.next}`,
          phase === 'failed' ? 'critical' : 'warning',
        ),
      ],
    };
  }
  const completed = log({ ...state, phase: 'completed', stepIndex: state.plan.steps.length }, { at, kind: 'completed' });
  return { state: completed, commands: [notify(completed, `${state.operation} completed`, completionMessage(completed), 'info')] };
}

function startStep(state: RunState, stepIndex: number, at: number): Transition {
  const step = activeSteps(state)[stepIndex];
  if (!step) return finish({ ...state, stepIndex }, at);
  let next = log({ ...state, stepIndex }, { at, kind: 'step-started', stepId: step.id, message: step.name });
  const commands: Command[] = [];
  for (const b of step.blocks) {
    const current = next.blocks[b.id];
    if (current?.status === 'done' || current?.status === 'skipped') continue;
    const tick = (current?.tick ?? 0) + 1;
    next = withBlock(next, b.id, { status: 'observing', tick, startedAt: current?.startedAt ?? at });
    next = log(next, { at, kind: 'block-started', stepId: step.id, blockId: b.id, message: b.description });
    commands.push({ kind: 'observe', blockId: b.id, tick });
  }
  if (commands.length === 0) return advanceIfStepDone(next, at);
  return { state: next, commands };
}

const settled = (b: BlockState | undefined) => b?.status === 'done' || b?.status === 'skipped' || b?.status === 'failed';

/**
 * Ends the step when its required blocks are done (in a rollback: done or failed); best-effort
 * blocks still going are skipped then, unless the step has nothing else to wait for.
 */
function advanceIfStepDone(state: RunState, at: number): Transition {
  const step = activeSteps(state)[state.stepIndex];
  if (!step) return unchanged(state);
  const rollingBack = state.phase === 'rolling-back';
  const required = step.blocks.filter((b) => !b.bestEffort);
  const ready =
    required.length > 0
      ? required.every((b) => (rollingBack ? settled(state.blocks[b.id]) : state.blocks[b.id]?.status === 'done'))
      : step.blocks.every((b) => settled(state.blocks[b.id]));
  if (!ready) return unchanged(state);
  let next = state;
  for (const b of step.blocks) {
    const s = next.blocks[b.id];
    if (settled(s)) continue;
    // The step no longer waits; a tick past any call in flight makes its answer stale.
    next = withBlock(next, b.id, { status: 'skipped', tick: (s?.tick ?? 0) + 1, endedAt: at });
    next = log(next, {
      at,
      kind: 'block-skipped',
      stepId: step.id,
      blockId: b.id,
      message: 'not done when the step was: left to the controller',
    });
  }
  next = log(next, { at, kind: 'step-ended', stepId: step.id });
  return startStep(next, state.stepIndex + 1, at);
}

/** Whether an observation shows a point-of-no-return call's effect, whoever made it. */
function effectVisible(action: BlockAction, observation: Observation): boolean {
  if (observation.kind !== 'database') return false;
  if (action.kind === 'promote-replica') return observation.status.role === 'primary';
  if (action.kind === 'set-write-fence') return observation.status.readOnly === (action.fenced ? 'on' : 'default');
  return false;
}

function commit(state: RunState, block: PlanBlock, at: number): RunState {
  if (!block.commits || state.committedAt !== undefined) return state;
  return log(
    { ...state, committedAt: at },
    {
      at,
      kind: 'committed',
      blockId: block.id,
      message: `past the point of no return: ${state.plan.toRegion} is the active region from here`,
    },
  );
}

function failRun(state: RunState, at: number, blockId: string | undefined, message: string): Transition {
  const stepId = blockId ? stepOf(state, blockId)?.id : undefined;
  const next = log({ ...state, phase: 'failed', failure: { blockId, stepId, message } }, { at, kind: 'failed', stepId, blockId, message });
  const summary = summarizeRun(next);
  const where = blockId ? ` at step ${stepId}, block ${blockId}` : '';
  return {
    state: next,
    commands: [notify(next, `${state.operation} failed${where}`, `${message}. ${summary.now} Next: ${summary.next}`, 'critical')],
  };
}

/** Starts undoing what the run changed; calls still in flight are waited for first, so their effect is undone too. */
function startRollback(state: RunState, at: number, reason: string, failure?: RunState['failure']): Transition {
  let next: RunState = { ...state, failure: failure ?? state.failure };
  // Blocks observing or waiting stop here; their pending answers become stale.
  for (const b of planBlocks(state)) {
    const s = next.blocks[b.id];
    if (s && (s.status === 'observing' || s.status === 'waiting')) next = withBlock(next, b.id, { status: 'pending', tick: s.tick + 1 });
  }
  const steps = rollbackSteps(next);
  for (const step of steps) for (const b of step.blocks) next = { ...next, blocks: { ...next.blocks, [b.id]: freshBlock() } };
  next = log(
    { ...next, phase: 'rolling-back', stepIndex: -1, rollback: { at, reason, steps } },
    { at, kind: 'rollback-started', message: `${reason}; undoing ${steps.length} change(s)` },
  );
  const t = startRollbackWhenQuiet(next, at);
  return {
    state: t.state,
    commands: [
      notify(next, `${state.operation} is rolling back`, `${reason}. Undoing what the run changed, newest first.`, 'critical'),
      ...t.commands,
    ],
  };
}

/** Starts the first undo step once no call of the plan is in flight. */
function startRollbackWhenQuiet(state: RunState, at: number): Transition {
  if (state.phase !== 'rolling-back' || state.stepIndex !== -1) return unchanged(state);
  const inFlight = planBlocks(state).some((b) => state.blocks[b.id]?.status === 'acting');
  return inFlight ? unchanged(state) : startStep(state, 0, at);
}

/** A block that cannot be done: skip it (best effort), keep rolling back (an undo), fail the run or roll it back. */
function blockFailed(state: RunState, block: PlanBlock, at: number, message: string): Transition {
  const stepId = stepOf(state, block.id)?.id;
  if (block.bestEffort) {
    let next = withBlock(state, block.id, {
      status: 'skipped',
      endedAt: at,
      error: message,
      tick: (state.blocks[block.id]?.tick ?? 0) + 1,
    });
    next = log(next, { at, kind: 'block-skipped', stepId, blockId: block.id, message: `${message}: left to the controller` });
    return advanceIfStepDone(next, at);
  }
  let next = withBlock(state, block.id, { status: 'failed', endedAt: at, error: message });
  next = log(next, { at, kind: 'block-failed', stepId, blockId: block.id, message });
  if (state.phase === 'rolling-back') return advanceIfStepDone(next, at);
  if (state.committedAt !== undefined) return failRun(next, at, block.id, message);
  return startRollback(next, at, `${block.id} failed before the point of no return: ${message}`, { blockId: block.id, stepId, message });
}

/** When a block may first act: its start, or later for one that waits for the point of no return or a delay. */
function mayActFrom(state: RunState, block: PlanBlock, at: number): number | undefined {
  const started = state.blocks[block.id]?.startedAt;
  if (started === undefined) return undefined;
  const committed = block.afterCommit ? (state.committedAt ?? at) : started;
  return Math.max(started + (block.delaySeconds ?? 0) * 1000, committed);
}

function timedOut(state: RunState, block: PlanBlock, at: number): boolean {
  const since = mayActFrom(state, block, at);
  return since !== undefined && at - since > block.timeoutSeconds * 1000;
}

function onObserved(state: RunState, event: Extract<RunEvent, { kind: 'observed' }>, s: EngineSettings): Transition {
  const current = awaiting(state, event, 'observing');
  const block = findBlock(state, event.blockId);
  if (!current || !block) return unchanged(state);
  const at = event.at;
  const verdict = assess(block.action, event.observation, {
    since: current.startedAt,
    now: at,
    acted: current.intentAt !== undefined,
    impairedAt: state.impairedAt,
  });
  let next = withBlock(state, block.id, { unreachableSince: undefined });
  if (block.action.kind === 'promote-replica' && event.observation.kind === 'database' && verdict.progress === 'not-started') {
    // The lag now is the data a promotion would lose: record it as the run's RPO.
    next = { ...next, rpoSeconds: event.observation.status.replicaLagSeconds ?? next.rpoSeconds };
  }
  // Past the point of no return once its call's effect shows (or it is done, by us or anyone).
  if (
    verdict.progress === 'done' ||
    (verdict.progress === 'in-progress' && (current.intentAt !== undefined || effectVisible(block.action, event.observation)))
  )
    next = commit(next, block, at);
  switch (verdict.progress) {
    case 'done': {
      next = withBlock(next, block.id, { status: 'done', endedAt: at, detail: verdict.detail, failures: 0 });
      next = log(next, { at, kind: 'block-ended', stepId: stepOf(state, block.id)?.id, blockId: block.id, message: verdict.detail });
      return advanceIfStepDone(next, at);
    }
    case 'impossible':
      return blockFailed(next, block, at, verdict.detail);
    case 'in-progress':
    case 'not-started': {
      if (timedOut(next, block, at)) return blockFailed(next, block, at, `timed out after ${block.timeoutSeconds}s (${verdict.detail})`);
      const settling = current.intentAt !== undefined && !showsAtOnce(block.action) && at - current.intentAt < s.settleMs;
      const early = (block.afterCommit === true && next.committedAt === undefined) || at < (mayActFrom(next, block, at) ?? at);
      if (verdict.progress === 'in-progress' || !isMutating(block.action) || settling || early) {
        const tick = current.tick + 1;
        next = withBlock(next, block.id, { status: 'waiting', tick, detail: verdict.detail, failures: 0 });
        return { state: next, commands: [{ kind: 'wait', blockId: block.id, tick, ms: s.pollMs }] };
      }
      const confirmation = staleConfirmation(next, block, at);
      if (confirmation) return reconfirm(next, confirmation, at);
      const refusal = trafficGuard(next, block);
      if (refusal) return blockFailed(next, block, at, refusal);
      const tick = current.tick + 1;
      const before = current.before ?? priorOf(block.action, event.observation);
      next = withBlock(next, block.id, {
        status: 'acting',
        tick,
        intentAt: at,
        attempts: current.attempts + 1,
        detail: verdict.detail,
        before,
      });
      return { state: next, commands: [{ kind: 'act', blockId: block.id, tick }] };
    }
    default:
      return assertNever(verdict, 'assessment');
  }
}

function retryOrFail(
  state: RunState,
  blockId: string,
  at: number,
  error: string,
  cause: FailureCause,
  retryable: boolean,
  s: EngineSettings,
): Transition {
  const block = findBlock(state, blockId);
  const current = state.blocks[blockId];
  if (!block || !current) return unchanged(state);
  const failures = current.failures + 1;
  if (!retryable) return blockFailed(state, block, at, error);
  if (timedOut(state, block, at))
    return blockFailed(state, block, at, `timed out after ${block.timeoutSeconds}s and ${failures} failed calls: ${error}`);
  const unreachableSince = cause === 'unreachable' ? (current.unreachableSince ?? at) : undefined;
  const patient = state.committedAt !== undefined && !block.bestEffort;
  if (!patient && unreachableSince !== undefined && at - unreachableSince >= state.unreachableSeconds * 1000) {
    return blockFailed(
      state,
      block,
      at,
      `${regionOf(block.action)} did not answer for ${Math.round((at - unreachableSince) / 1000)} s: ${error}`,
    );
  }
  const tick = current.tick + 1;
  const next = withBlock(state, blockId, { status: 'waiting', tick, failures, error, unreachableSince });
  return { state: next, commands: [{ kind: 'wait', blockId, tick, ms: backoff(state, blockId, failures, s) }] };
}

/** A call of the plan answered while the run rolls back: record it, then start undoing once nothing is in flight. */
function lateAnswer(state: RunState, blockId: string, at: number, patch: Partial<BlockState>): Transition {
  const next = withBlock(state, blockId, { ...patch, tick: (state.blocks[blockId]?.tick ?? 0) + 1 });
  return startRollbackWhenQuiet(next, at);
}

function onActAnswer(state: RunState, event: Extract<RunEvent, { kind: 'acted' | 'act-failed' }>, s: EngineSettings): Transition {
  const current = awaiting(state, event, 'acting');
  const block = findBlock(state, event.blockId);
  if (!current || !block) return unchanged(state);
  const at = event.at;
  if (event.kind === 'acted') {
    if (state.phase === 'rolling-back' && !isUndo(state, block.id))
      return lateAnswer(state, block.id, at, { status: 'done', actedAt: at, uncertain: false });
    const tick = current.tick + 1;
    let next = withBlock(state, block.id, {
      status: 'waiting',
      tick,
      actedAt: at,
      uncertain: false,
      failures: 0,
      unreachableSince: undefined,
    });
    next = log(next, { at, kind: 'block-acted', stepId: stepOf(state, block.id)?.id, blockId: block.id });
    next = commit(next, block, at);
    // Observe at once: most changes show immediately, and one that does not (a promotion in
    // its first seconds) is given `settleMs` before the call is ever repeated.
    return { state: next, commands: [{ kind: 'wait', blockId: block.id, tick, ms: 0 }] };
  }
  // A call AWS refused had no effect: forget the intent so the next observation acts again. One
  // that timed out may have landed: keep the intent (settleMs before repeating it), and count a
  // point-of-no-return call that may have landed as passed.
  const uncertain = event.landed === 'unknown';
  let next = uncertain
    ? withBlock(state, block.id, { uncertain: true })
    : withBlock(state, block.id, { intentAt: current.uncertain || current.actedAt !== undefined ? current.intentAt : undefined });
  if (uncertain) next = commit(next, block, at);
  if (state.phase === 'rolling-back' && !isUndo(state, block.id))
    return lateAnswer(next, block.id, at, { status: 'failed', error: event.error });
  return retryOrFail(next, block.id, at, event.error, event.cause, event.retryable, s);
}

/** Re-observes every unfinished block of the current step; a call that may be in flight gets a fresh settle time. */
function reobserve(state: RunState, at: number): Transition {
  const step = activeSteps(state)[state.stepIndex];
  if (!step) return advanceIfStepDone(state, at);
  let next = state;
  const commands: Command[] = [];
  for (const b of step.blocks) {
    const current = next.blocks[b.id];
    if (!current || settled(current)) continue;
    const tick = current.tick + 1;
    const intentAt = current.intentAt === undefined ? undefined : at;
    next = withBlock(next, b.id, { status: 'observing', tick, intentAt, startedAt: current.startedAt ?? at });
    commands.push({ kind: 'observe', blockId: b.id, tick });
  }
  if (commands.length === 0) return advanceIfStepDone(next, at);
  return { state: next, commands };
}

function refuse(state: RunState, at: number, message: string): Transition {
  const next = log({ ...state, phase: 'refused' }, { at, kind: 'refused', message });
  const summary = summarizeRun(next);
  return {
    state: next,
    commands: [notify(next, `${state.operation} refused`, `${message}. ${summary.now} Next: ${summary.next}`, 'critical')],
  };
}

/**
 * The state machine (see the table at the top of this file). Pure: performs nothing and reads
 * no clock; every time comes in on the event.
 */
export function transition(state: RunState, event: RunEvent, settings: EngineSettings = DEFAULT_ENGINE_SETTINGS): Transition {
  const t = apply(state, event, settings);
  return t.state === state ? t : { ...t, state: { ...t.state, lastEventAt: event.at } };
}

function apply(state: RunState, event: RunEvent, settings: EngineSettings): Transition {
  if (isTerminal(state.phase) && !(state.phase === 'failed' && event.kind === 'retry-requested')) return unchanged(state);
  const at = event.at;
  switch (event.kind) {
    case 'preconditions-evaluated': {
      if (state.phase !== 'evaluating') return unchanged(state);
      const blocking = event.problems.filter((p) => p.kind !== 'rpo' || !state.force);
      const base: RunState = { ...state, problems: event.problems, rpoSeconds: event.replicaLagSeconds ?? state.rpoSeconds };
      if (blocking.length > 0) return refuse(base, at, blocking.map((p) => p.message).join('; '));
      const risked = event.problems.some((p) => p.kind === 'rpo');
      const passed = log(
        { ...base, rpoRisked: risked },
        {
          at,
          kind: 'preconditions-passed',
          message: risked ? `forced past the RPO guard: ${event.problems.map((p) => p.message).join('; ')}` : undefined,
        },
      );
      if (passed.approvalRequired && passed.approvedBy === undefined) {
        const asked = {
          ...passed,
          phase: 'awaiting-approval' as const,
          approvalRequestedAt: at,
          approvalExpiresAt: at + state.approvalTimeoutSeconds * 1000,
        };
        return {
          state: log(asked, { at, kind: 'approval-requested', message: `expires in ${Math.round(state.approvalTimeoutSeconds / 60)} min` }),
          commands: [{ kind: 'request-approval' }],
        };
      }
      return startStep({ ...passed, phase: 'running' }, 0, at);
    }
    case 'approval-granted': {
      if (state.phase === 'evaluating')
        return unchanged(log({ ...state, approvedBy: event.by }, { at, kind: 'approved', message: event.by }));
      if (state.phase !== 'awaiting-approval') return unchanged(state);
      if (state.approvalExpiresAt !== undefined && at > state.approvalExpiresAt) {
        return refuse(
          state,
          at,
          `the approval by ${event.by} came ${Math.round((at - (state.approvalRequestedAt ?? at)) / 60_000)} min after it was asked for; approvals expire after ${Math.round(state.approvalTimeoutSeconds / 60)} min`,
        );
      }
      // Time has passed since the run was asked for: the world is checked again before anything changes.
      const approved = log({ ...state, approvedBy: event.by, phase: 'evaluating' }, { at, kind: 'approved', message: event.by });
      return { state: approved, commands: [{ kind: 'evaluate-preconditions', confirmImpairment: state.trigger === 'detector' }] };
    }
    case 'approval-expired': {
      if (state.phase !== 'awaiting-approval' || state.approvalExpiresAt === undefined || at < state.approvalExpiresAt)
        return unchanged(state);
      return refuse(state, at, `no operator approved the ${state.operation} within ${Math.round(state.approvalTimeoutSeconds / 60)} min`);
    }
    case 'observed':
      return onObserved(state, event, settings);
    case 'observe-failed': {
      if (!awaiting(state, event, 'observing')) return unchanged(state);
      return retryOrFail(state, event.blockId, at, event.error, event.cause, true, settings);
    }
    case 'acted':
    case 'act-failed':
      return onActAnswer(state, event, settings);
    case 'timer-fired': {
      const current = awaiting(state, event, 'waiting');
      if (!current) return unchanged(state);
      const tick = current.tick + 1;
      return {
        state: withBlock(state, event.blockId, { status: 'observing', tick }),
        commands: [{ kind: 'observe', blockId: event.blockId, tick }],
      };
    }
    case 'abort-requested': {
      if (state.phase === 'evaluating' || state.phase === 'awaiting-approval') return refuse(state, at, `aborted: ${event.reason}`);
      if (state.phase !== 'running') return unchanged(state);
      if (state.committedAt !== undefined)
        return unchanged(log(state, { at, kind: 'aborted', message: `${event.reason}; past the point of no return the run goes on` }));
      return startRollback(log(state, { at, kind: 'aborted', message: event.reason }), at, `aborted: ${event.reason}`);
    }
    case 'retry-requested': {
      if (state.phase !== 'failed') return unchanged(state);
      const retried = log(state, { at, kind: 'retried', message: event.by });
      if (state.committedAt === undefined && state.rollback) {
        // Undo again what could not be undone: each undo observes first, so repeating one is harmless.
        let next: RunState = { ...retried, phase: 'rolling-back', failure: state.failure };
        for (const b of undoBlocks(state)) {
          const s = next.blocks[b.id];
          if (s?.status === 'failed') next = withBlock(next, b.id, RETRY_RESET);
        }
        const first = state.rollback.steps.findIndex((s) =>
          s.blocks.some((b) => next.blocks[b.id]?.status !== 'done' && next.blocks[b.id]?.status !== 'skipped'),
        );
        return startStep(next, Math.max(0, first), at);
      }
      const failedId = state.failure?.blockId;
      const index = state.plan.steps.findIndex((s) => s.blocks.some((b) => b.id === failedId));
      if (index < 0) return unchanged(state);
      let next: RunState = { ...retried, phase: 'running', failure: undefined };
      for (const b of state.plan.steps[index]!.blocks) {
        const s = next.blocks[b.id];
        if (s && s.status !== 'done') next = withBlock(next, b.id, RETRY_RESET);
      }
      return startStep(next, index, at);
    }
    case 'resumed': {
      const resumed = log(state, {
        at,
        kind: 'resumed',
        message: `at ${state.phase}, step ${state.stepIndex + 1} of ${activeSteps(state).length}`,
      });
      if (state.phase === 'evaluating')
        return {
          state: resumed,
          commands: [{ kind: 'evaluate-preconditions', confirmImpairment: state.trigger === 'detector' && state.approvedBy !== undefined }],
        };
      if (state.phase === 'awaiting-approval') {
        if (state.approvalExpiresAt !== undefined && at >= state.approvalExpiresAt)
          return apply(resumed, { kind: 'approval-expired', at }, settings);
        return { state: resumed, commands: [{ kind: 'request-approval' }] };
      }
      if (state.phase === 'rolling-back' && state.stepIndex === -1) {
        // The calls the last controller had in flight answered before its lease ran out, but
        // their outcome is unknown here: undo them as if they landed (each undo observes first).
        let next = resumed;
        for (const b of everyBlock(state)) {
          const s = next.blocks[b.id];
          if (s?.status === 'acting') next = withBlock(next, b.id, { status: 'failed', uncertain: true, tick: s.tick + 1 });
        }
        return startRollbackWhenQuiet(next, at);
      }
      return reobserve(resumed, at);
    }
    default:
      return assertNever(event, 'event');
  }
}
