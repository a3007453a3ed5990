import { isMutating, type BlockAction, type PlanBlock } from '../plan/types.js';
import { assertNever } from '../util/assert-never.js';
import { assess } from './assess.js';
import { measureRun } from './measures.js';
import {
  DEFAULT_ENGINE_SETTINGS,
  RUN_STATE_SCHEMA_VERSION,
  TERMINAL_PHASES,
  type BlockState,
  type Command,
  type EngineSettings,
  type RunEvent,
  type RunState,
  type StartRunInput,
  type TimelineEntry,
  type Transition,
} from './types.js';

const unchanged = (state: RunState): Transition => ({ state, commands: [] });

function log(state: RunState, entry: TimelineEntry): RunState {
  return { ...state, timeline: [...state.timeline, entry] };
}

function withBlock(state: RunState, blockId: string, patch: Partial<BlockState>): RunState {
  const current = state.blocks[blockId];
  if (!current) throw new Error(`no block ${blockId}`);
  return { ...state, blocks: { ...state.blocks, [blockId]: { ...current, ...patch } } };
}

/** Every block of a plan, with the index of its step. */
function planBlocks(state: RunState): { block: PlanBlock; stepIndex: number }[] {
  return state.plan.steps.flatMap((step, stepIndex) => step.blocks.map((block) => ({ block, stepIndex })));
}

function findBlock(state: RunState, blockId: string): PlanBlock | undefined {
  return planBlocks(state).find((b) => b.block.id === blockId)?.block;
}

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
 * The guard behind "the new region never takes traffic before its database is writable and its
 * capacity healthy": a block that opens traffic to a region may act only once that region's
 * writable and healthy waits are done. Checked here, not trusted to plan order.
 */
function trafficGuard(state: RunState, action: BlockAction): string | undefined {
  const opensTraffic =
    (action.kind === 'set-endpoint-weight' && action.weight > 0) || (action.kind === 'set-traffic-dial' && action.percent > 0);
  if (!opensTraffic) return undefined;
  const region = action.group.region;
  const waits = planBlocks(state).map((b) => b.block);
  const writable = waits.some((b) => b.action.kind === 'await-writable' && b.action.db.region === region && state.blocks[b.id]?.status === 'done');
  const healthy = waits.some((b) => b.action.kind === 'await-healthy' && b.action.asg.region === region && state.blocks[b.id]?.status === 'done');
  if (writable && healthy) return undefined;
  return `refusing to send traffic to ${region} before its database is writable and its capacity healthy`;
}

/** Creates a run. Pure: the runner persists the state, then performs the commands. */
export function startRun(input: StartRunInput): Transition {
  const blocks: Record<string, BlockState> = {};
  for (const step of input.plan.steps) {
    for (const b of step.blocks) {
      if (blocks[b.id]) throw new Error(`plan has two blocks named ${b.id}`);
      blocks[b.id] = { status: 'pending', tick: 0, attempts: 0, failures: 0 };
    }
  }
  const state: RunState = {
    schemaVersion: RUN_STATE_SCHEMA_VERSION,
    runId: input.runId,
    operation: input.plan.operation,
    from: input.plan.from,
    to: input.plan.to,
    phase: 'evaluating',
    plan: input.plan,
    stepIndex: 0,
    blocks,
    force: input.force ?? false,
    approvalRequired: input.approvalRequired ?? false,
    maxDataLossSeconds: input.maxDataLossSeconds,
    triggeredAt: input.at,
    impairedAt: input.impairedAt,
    trigger: input.trigger ?? 'operator',
    lastEventAt: input.at,
    rpoRisked: false,
    problems: [],
    timeline: [{ at: input.at, kind: 'run-started', message: `${input.plan.operation} from ${input.plan.fromRegion} to ${input.plan.toRegion}` }],
  };
  return { state, commands: [{ kind: 'evaluate-preconditions' }] };
}

/** What the completion notice says: where traffic is now, and the run's RTO and RPO. */
function completionMessage(run: RunState): string {
  const { rtoSeconds, rpoSeconds, durationSeconds } = measureRun(run);
  const parts = [`${run.plan.toRegion} now serves traffic (${run.operation} from ${run.plan.fromRegion}, run ${run.runId}).`];
  if (rtoSeconds !== null) parts.push(`RTO ${rtoSeconds} s.`);
  if (durationSeconds !== null) parts.push(`The run took ${durationSeconds} s.`);
  if (rpoSeconds !== null) parts.push(`RPO ${rpoSeconds} s (replica lag at promotion)${run.rpoRisked ? ', past the objective: forced' : ''}.`);
  return parts.join(' ');
}

function startStep(state: RunState, stepIndex: number, at: number): Transition {
  const step = state.plan.steps[stepIndex];
  if (!step) {
    const completed = log({ ...state, phase: 'completed', stepIndex }, { at, kind: 'completed' });
    return {
      state: completed,
      commands: [{ kind: 'notify', notification: { subject: `${state.operation} completed`, message: completionMessage(completed), severity: 'info', runId: state.runId } }],
    };
  }
  let next = log({ ...state, phase: 'running', stepIndex }, { at, kind: 'step-started', stepId: step.id, message: step.name });
  const commands: Command[] = [];
  for (const b of step.blocks) {
    const current = next.blocks[b.id];
    if (current?.status === 'done') continue;
    const tick = (current?.tick ?? 0) + 1;
    next = withBlock(next, b.id, { status: 'observing', tick, startedAt: current?.startedAt ?? at });
    next = log(next, { at, kind: 'block-started', stepId: step.id, blockId: b.id, message: b.description });
    commands.push({ kind: 'observe', blockId: b.id, tick });
  }
  if (commands.length === 0) return advanceIfStepDone(next, at);
  return { state: next, commands };
}

function advanceIfStepDone(state: RunState, at: number): Transition {
  const step = state.plan.steps[state.stepIndex];
  if (!step) return unchanged(state);
  if (!step.blocks.every((b) => state.blocks[b.id]?.status === 'done')) return unchanged(state);
  const ended = log(state, { at, kind: 'step-ended', stepId: step.id });
  return startStep(ended, state.stepIndex + 1, at);
}

function failRun(state: RunState, at: number, blockId: string | undefined, message: string): Transition {
  const stepId = state.plan.steps[state.stepIndex]?.id;
  let next = state;
  if (blockId) {
    next = withBlock(next, blockId, { status: 'failed', endedAt: at, error: message });
    next = log(next, { at, kind: 'block-failed', stepId, blockId, message });
  }
  next = log({ ...next, phase: 'failed', failure: { blockId, stepId, message } }, { at, kind: 'failed', stepId, blockId, message });
  const where = blockId ? ` at step ${stepId}, block ${blockId}` : '';
  return {
    state: next,
    commands: [{ kind: 'notify', notification: { subject: `${state.operation} failed${where}`, message, severity: 'critical', runId: state.runId } }],
  };
}

function timedOut(state: RunState, block: PlanBlock, at: number): boolean {
  const b = state.blocks[block.id];
  const since = b?.watchSince ?? b?.startedAt;
  return since !== undefined && at - since > block.timeoutSeconds * 1000;
}

function onObserved(state: RunState, event: Extract<RunEvent, { kind: 'observed' }>, s: EngineSettings): Transition {
  const block = findBlock(state, event.blockId);
  const current = state.blocks[event.blockId];
  if (!block || !current || current.status !== 'observing' || current.tick !== event.tick) return unchanged(state);
  const verdict = assess(block.action, event.observation, { since: current.startedAt });
  const at = event.at;
  let next = state;
  if (block.action.kind === 'promote-replica' && event.observation.kind === 'database' && verdict.progress === 'not-started') {
    // The lag now is the data a promotion would lose: record it as the run's RPO.
    next = { ...next, rpoSeconds: event.observation.status.replicaLagSeconds ?? next.rpoSeconds };
  }
  switch (verdict.progress) {
    case 'done': {
      next = withBlock(next, block.id, { status: 'done', endedAt: at, detail: verdict.detail, failures: 0 });
      next = log(next, { at, kind: 'block-ended', stepId: state.plan.steps[state.stepIndex]?.id, blockId: block.id, message: verdict.detail });
      return advanceIfStepDone(next, at);
    }
    case 'impossible':
      return failRun(next, at, block.id, verdict.detail);
    case 'in-progress':
    case 'not-started': {
      if (timedOut(next, block, at)) return failRun(next, at, block.id, `timed out after ${block.timeoutSeconds}s (${verdict.detail})`);
      const settling = current.intentAt !== undefined && at - current.intentAt < s.settleMs;
      if (verdict.progress === 'in-progress' || !isMutating(block.action) || settling) {
        const tick = current.tick + 1;
        next = withBlock(next, block.id, { status: 'waiting', tick, detail: verdict.detail, failures: 0 });
        return { state: next, commands: [{ kind: 'wait', blockId: block.id, tick, ms: s.pollMs }] };
      }
      const refusal = trafficGuard(next, block.action);
      if (refusal) return failRun(next, at, block.id, refusal);
      const tick = current.tick + 1;
      next = withBlock(next, block.id, { status: 'acting', tick, intentAt: at, attempts: current.attempts + 1, detail: verdict.detail });
      return { state: next, commands: [{ kind: 'act', blockId: block.id, tick }] };
    }
    default:
      return assertNever(verdict, 'assessment');
  }
}

function retryOrFail(state: RunState, blockId: string, at: number, error: string, retryable: boolean, s: EngineSettings): Transition {
  const block = findBlock(state, blockId);
  const current = state.blocks[blockId];
  if (!block || !current) return unchanged(state);
  const failures = current.failures + 1;
  if (!retryable) return failRun(state, at, blockId, error);
  if (timedOut(state, block, at)) return failRun(state, at, blockId, `timed out after ${block.timeoutSeconds}s and ${failures} failed calls: ${error}`);
  const tick = current.tick + 1;
  const next = withBlock(state, blockId, { status: 'waiting', tick, failures, error });
  return { state: next, commands: [{ kind: 'wait', blockId, tick, ms: backoff(state, blockId, failures, s) }] };
}

/**
 * The state machine. Pure: performs nothing and reads no clock; every time comes in on the
 * event. The runner persists the returned state (compare-and-set), then performs the commands.
 *
 * Events that do not fit the current state (duplicated, delayed, or from a stale tick) change
 * nothing, so redelivery is harmless.
 */
export function transition(state: RunState, event: RunEvent, settings: EngineSettings = DEFAULT_ENGINE_SETTINGS): Transition {
  const t = apply(state, event, settings);
  return t.state === state ? t : { ...t, state: { ...t.state, lastEventAt: event.at } };
}

function apply(state: RunState, event: RunEvent, settings: EngineSettings): Transition {
  if (TERMINAL_PHASES.includes(state.phase)) return unchanged(state);
  switch (event.kind) {
    case 'preconditions-evaluated': {
      if (state.phase !== 'evaluating') return unchanged(state);
      const blocking = event.problems.filter((p) => p.kind === 'precondition' || !state.force);
      const base: RunState = { ...state, problems: event.problems, rpoSeconds: event.replicaLagSeconds ?? state.rpoSeconds };
      if (blocking.length > 0) {
        const message = blocking.map((p) => p.message).join('; ');
        return {
          state: log({ ...base, phase: 'refused' }, { at: event.at, kind: 'refused', message }),
          commands: [{ kind: 'notify', notification: { subject: `${state.operation} refused`, message, severity: 'critical', runId: state.runId } }],
        };
      }
      const risked = event.problems.some((p) => p.kind === 'rpo');
      const passed = log({ ...base, rpoRisked: risked }, {
        at: event.at,
        kind: 'preconditions-passed',
        message: risked ? `forced past the RPO guard: ${event.problems.map((p) => p.message).join('; ')}` : undefined,
      });
      if (passed.approvalRequired && passed.approvedBy === undefined) {
        return {
          state: log({ ...passed, phase: 'awaiting-approval' }, { at: event.at, kind: 'approval-requested' }),
          commands: [{ kind: 'request-approval' }],
        };
      }
      return startStep(passed, 0, event.at);
    }
    case 'approval-granted': {
      if (state.phase !== 'awaiting-approval' && state.phase !== 'evaluating') return unchanged(state);
      const approved = log({ ...state, approvedBy: event.by }, { at: event.at, kind: 'approved', message: event.by });
      return state.phase === 'awaiting-approval' ? startStep(approved, 0, event.at) : unchanged(approved);
    }
    case 'observed':
      return state.phase === 'running' ? onObserved(state, event, settings) : unchanged(state);
    case 'observe-failed': {
      const current = state.blocks[event.blockId];
      if (state.phase !== 'running' || current?.status !== 'observing' || current.tick !== event.tick) return unchanged(state);
      return retryOrFail(state, event.blockId, event.at, event.error, true, settings);
    }
    case 'acted': {
      const current = state.blocks[event.blockId];
      if (state.phase !== 'running' || current?.status !== 'acting' || current.tick !== event.tick) return unchanged(state);
      const tick = current.tick + 1;
      let next = withBlock(state, event.blockId, { status: 'waiting', tick, actedAt: event.at, failures: 0 });
      next = log(next, { at: event.at, kind: 'block-acted', stepId: state.plan.steps[state.stepIndex]?.id, blockId: event.blockId });
      // Observe at once: most changes show immediately, and one that does not (a promotion in
      // its first seconds) is given `settleMs` before the call is ever repeated.
      return { state: next, commands: [{ kind: 'wait', blockId: event.blockId, tick, ms: 0 }] };
    }
    case 'act-failed': {
      const current = state.blocks[event.blockId];
      if (state.phase !== 'running' || current?.status !== 'acting' || current.tick !== event.tick) return unchanged(state);
      // A call AWS refused had no effect: forget the intent so the next observation acts again.
      // One that timed out may have landed: keep the intent, so the next observation gives it
      // settleMs to show before the call is repeated.
      const next = event.landed === 'no' ? withBlock(state, event.blockId, { intentAt: undefined }) : state;
      return retryOrFail(next, event.blockId, event.at, event.error, event.retryable, settings);
    }
    case 'timer-fired': {
      const current = state.blocks[event.blockId];
      if (state.phase !== 'running' || current?.status !== 'waiting' || current.tick !== event.tick) return unchanged(state);
      const tick = current.tick + 1;
      return { state: withBlock(state, event.blockId, { status: 'observing', tick }), commands: [{ kind: 'observe', blockId: event.blockId, tick }] };
    }
    case 'resumed': {
      const resumed = log(state, { at: event.at, kind: 'resumed', message: `at ${state.phase}, step ${state.stepIndex + 1} of ${state.plan.steps.length}` });
      if (state.phase === 'evaluating') return { state: resumed, commands: [{ kind: 'evaluate-preconditions' }] };
      if (state.phase === 'awaiting-approval') return { state: resumed, commands: [{ kind: 'request-approval' }] };
      // Whatever was in flight is unknown: observe every unfinished block of the current step
      // before doing anything. A block whose call was sent (or may have been, if caught
      // `acting`) and not yet seen to take effect restarts its settle time now: the call gets a
      // full settleMs to show before it is ever repeated, however long the takeover took.
      const step = state.plan.steps[state.stepIndex];
      if (!step) return advanceIfStepDone(resumed, event.at);
      let next = resumed;
      const commands: Command[] = [];
      const lost = Math.max(0, event.at - (state.lastEventAt ?? event.at));
      for (const b of step.blocks) {
        const current = next.blocks[b.id];
        if (!current || current.status === 'done') continue;
        const tick = current.tick + 1;
        const intentAt = current.intentAt === undefined ? undefined : event.at;
        const watchSince = (current.watchSince ?? current.startedAt ?? event.at) + lost;
        next = withBlock(next, b.id, { status: 'observing', tick, intentAt, startedAt: current.startedAt ?? event.at, watchSince });
        commands.push({ kind: 'observe', blockId: b.id, tick });
      }
      if (commands.length === 0) return advanceIfStepDone(next, event.at);
      return { state: next, commands };
    }
    default:
      return assertNever(event, 'event');
  }
}
