/**
 * How the machine answers the events of one block: an observation (done, in progress, or a
 * change to make, once the guards allow it), a call's answer, a failed look or call (retried
 * with backoff until the block times out or its region has been silent too long). The guards
 * here are checked at the moment of acting rather than trusted to plan order.
 */
import { type PlanBlock, isMutating, type BlockAction, showsAtOnce } from '../plan/types.js';
import { assertNever } from '../util/assert-never.js';
import { assess, priorOf } from './assess.js';
import { memberOf } from './assess-global.js';
import { settled, RETRY_RESET, startStep, advanceIfStepDone, blockFailed, startRollbackWhenQuiet } from './progress.js';
import { isUndo, undoBlocks, planBlocks, activeSteps, withBlock, log, findBlock, unchanged, stepOf, regionOf } from './run-state.js';
import type { RunState, EngineSettings, BlockState, Transition, Observation, RunEvent, FailureCause } from './types.js';

/** An observation of a block: ends it, keeps waiting, or acts when the change is due and every guard allows it. */
export function onObserved(state: RunState, event: Extract<RunEvent, { kind: 'observed' }>, s: EngineSettings): Transition {
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
  const lagNow = lagBeforePromotion(block.action, event.observation);
  if (lagNow !== undefined && verdict.progress === 'not-started') {
    // The lag now is the data a promotion would lose: record it as the run's RPO.
    next = { ...next, rpoSeconds: lagNow };
  }
  // Past the point of no return once its call's effect shows (or it is done, by us or anyone).
  const called = current.intentAt !== undefined && !block.commitsWhenSeen;
  if (verdict.progress === 'done' || (verdict.progress === 'in-progress' && (called || effectVisible(block.action, event.observation))))
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
      if (block.commitsWhenSeen && verdict.progress === 'not-started' && current.actedAt !== undefined && !settling)
        return blockFailed(
          next,
          block,
          at,
          `${verdict.detail}: AWS accepted the call ${Math.round((at - current.actedAt) / 1000)} s ago and it has not taken effect (cancelled or failed)`,
        );
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

/** The answer to a block's call: wait and observe its effect, or retry (or fail) a call that failed. */
export function onActAnswer(state: RunState, event: Extract<RunEvent, { kind: 'acted' | 'act-failed' }>, s: EngineSettings): Transition {
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
    if (!block.commitsWhenSeen) next = commit(next, block, at);
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
  if (uncertain && !block.commitsWhenSeen) next = commit(next, block, at);
  if (state.phase === 'rolling-back' && !isUndo(state, block.id))
    return lateAnswer(next, block.id, at, { status: 'failed', error: event.error });
  return retryOrFail(next, block.id, at, event.error, event.cause, event.retryable, s);
}

/** A failed look or call: retried after a backoff, unless it cannot be, the block timed out, or its region was silent too long. */
export function retryOrFail(
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

/**
 * The one guard on block events: the run works blocks (running or rolling back), and the block
 * is in the status the event answers, at the same tick. Anything else is stale or duplicated.
 */
export function awaiting(
  state: RunState,
  event: { readonly blockId: string; readonly tick: number },
  status: BlockState['status'],
): BlockState | undefined {
  if (state.phase !== 'running' && state.phase !== 'rolling-back') return undefined;
  const b = state.blocks[event.blockId];
  return b?.status === status && b.tick === event.tick ? b : undefined;
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

/** The lag a replica promoted now would lose (an RDS promotion, an Aurora failover); undefined for other blocks or when unknown. */
function lagBeforePromotion(action: BlockAction, observation: Observation): number | undefined {
  if (action.kind === 'promote-replica' && observation.kind === 'database') return observation.status.replicaLagSeconds;
  if (action.kind === 'failover-global-cluster' && observation.kind === 'global-cluster') return observation.db.replicaLagSeconds;
  return undefined;
}

/** Whether an observation shows a point-of-no-return call's effect, whoever made it. */
function effectVisible(action: BlockAction, observation: Observation): boolean {
  if (observation.kind === 'global-cluster' && (action.kind === 'failover-global-cluster' || action.kind === 'switchover-global-cluster')) {
    const { region, dbClusterIdentifier } = action.target;
    const member = memberOf(observation.global, region, dbClusterIdentifier);
    // A failover in progress has fenced the old writer already; a switchover may still be cancelled.
    const failingOver = action.kind === 'failover-global-cluster' && observation.global.failoverState?.toRegion === region;
    return member?.isWriter === true || failingOver;
  }
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

function backoff(state: RunState, blockId: string, failures: number, s: EngineSettings): number {
  const base = Math.min(s.maxBackoffMs, s.backoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * jitter(`${state.runId}/${blockId}/${failures}`));
}

/** Deterministic jitter in [0.5, 1): enough to spread retries of parallel blocks, with no randomness in the core. */
function jitter(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return 0.5 + ((h >>> 0) % 1000) / 2000;
}
