import type { BlockAction, PlanBlock, PlanStep } from '../plan/types.js';
import {
  RUN_STATE_SCHEMA_VERSION,
  type BlockState,
  type RunState,
  type StartRunInput,
  type TimelineEntry,
  type Transition,
} from './types.js';

/** Helpers over a run's state, shared by the transition and the reports. Pure. */

/** A transition that changes nothing. */
export const unchanged = (state: RunState): Transition => ({ state, commands: [] });

/** Appends to the timeline. */
export function log(state: RunState, entry: TimelineEntry): RunState {
  return { ...state, timeline: [...state.timeline, entry] };
}

/** A block's state before anything is done for it. */
export const freshBlock = (): BlockState => ({ status: 'pending', tick: 0, attempts: 0, failures: 0 });

/** Changes one block's state. */
export function withBlock(state: RunState, blockId: string, patch: Partial<BlockState>): RunState {
  const current = state.blocks[blockId];
  if (!current) throw new Error(`no block ${blockId}`);
  return { ...state, blocks: { ...state.blocks, [blockId]: { ...current, ...patch } } };
}

/** The steps being worked through: the plan's, or the rollback's once rolling back. */
export const activeSteps = (state: RunState): readonly PlanStep[] =>
  state.phase === 'rolling-back' ? (state.rollback?.steps ?? []) : state.plan.steps;

/** Every block of the run's plan, in order. */
export const planBlocks = (state: RunState): PlanBlock[] => state.plan.steps.flatMap((s) => s.blocks);

/** Every block of the run's rollback (its undos), in order; none before a rollback is built. */
export const undoBlocks = (state: RunState): PlanBlock[] => (state.rollback?.steps ?? []).flatMap((s) => s.blocks);

/** Every block of the plan and of the rollback, if any. */
export function everyBlock(state: RunState): PlanBlock[] {
  return [...planBlocks(state), ...undoBlocks(state)];
}

/** True when a block of the run is done. */
export const isDone = (state: RunState, blockId: string): boolean => state.blocks[blockId]?.status === 'done';

/** A block of the plan or the rollback by id. */
export function findBlock(state: RunState, blockId: string): PlanBlock | undefined {
  return everyBlock(state).find((b) => b.id === blockId);
}

/** The step of the plan or the rollback that holds a block. */
export function stepOf(state: RunState, blockId: string): PlanStep | undefined {
  return [...state.plan.steps, ...(state.rollback?.steps ?? [])].find((s) => s.blocks.some((b) => b.id === blockId));
}

/** True for a block of the rollback (an undo), as opposed to one of the plan. */
export const isUndo = (state: RunState, blockId: string): boolean => undoBlocks(state).some((b) => b.id === blockId);

/** The region a block acts on (Global Accelerator's calls are about an endpoint group's region). */
export function regionOf(action: BlockAction): string {
  switch (action.kind) {
    case 'set-traffic-dial':
    case 'set-endpoint-weight':
    case 'await-drain':
    case 'verify-serving':
      return action.group.region;
    case 'set-capacity':
    case 'await-healthy':
      return action.asg.region;
    case 'await-impairment':
      return action.region;
    case 'keep-failover-snapshot':
      return action.cluster.region;
    default:
      return action.db.region;
  }
}

/** Creates a run's state; the first command evaluates the preconditions. Pure. */
export function startRun(input: StartRunInput): Transition {
  const blocks: Record<string, BlockState> = {};
  for (const step of input.plan.steps) {
    for (const b of step.blocks) {
      if (blocks[b.id]) throw new Error(`plan has two blocks named ${b.id}`);
      blocks[b.id] = freshBlock();
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
    approvalTimeoutSeconds: input.approvalTimeoutSeconds ?? 1_800,
    maxDataLossSeconds: input.maxDataLossSeconds,
    unreachableSeconds: input.unreachableSeconds ?? 60,
    triggeredAt: input.at,
    impairedAt: input.impairedAt,
    trigger: input.trigger ?? 'operator',
    lastEventAt: input.at,
    rpoRisked: false,
    problems: [],
    timeline: [
      { at: input.at, kind: 'run-started', message: `${input.plan.operation} from ${input.plan.fromRegion} to ${input.plan.toRegion}` },
    ],
  };
  return { state, commands: [{ kind: 'evaluate-preconditions', confirmImpairment: false }] };
}
