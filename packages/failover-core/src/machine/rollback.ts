import type { PlanBlock, PlanStep } from '../plan/types.js';
import { inverseOf } from './assess.js';
import { regionOf } from './run-state.js';
import type { BlockState, RunState } from './types.js';

const describeUndo = (block: PlanBlock): string => `Undo: ${block.description.charAt(0).toLowerCase()}${block.description.slice(1)}`;

/** True when a block may have changed the world: a call was decided on (and so may have been sent). */
export const mayHaveActed = (b: BlockState | undefined): boolean => b !== undefined && (b.actedAt !== undefined || b.uncertain === true || b.intentAt !== undefined);

/**
 * The undo steps of a run that failed (or was aborted) before its point of no return: for every
 * block marked `restore` that may have acted, the inverse of its change, newest first, one step
 * each, so a region's write fence is lifted before its traffic comes back. Restores in the
 * region the run was moving to are best effort: if it does not answer, the controller takes
 * its capacity to 0 and fences its database when it does (containment).
 */
export function rollbackSteps(state: RunState): PlanStep[] {
  const acted = state.plan.steps
    .flatMap((s) => s.blocks)
    .filter((b) => b.undo === 'restore' && mayHaveActed(state.blocks[b.id]) && state.blocks[b.id]?.before !== undefined)
    .sort((a, b) => (state.blocks[b.id]?.intentAt ?? 0) - (state.blocks[a.id]?.intentAt ?? 0));
  const steps: PlanStep[] = [];
  for (const b of acted) {
    const before = state.blocks[b.id]?.before;
    const inverse = before && inverseOf(b.action, before);
    if (!inverse) continue;
    const bestEffort = regionOf(inverse) === state.plan.toRegion && state.plan.toRegion !== state.plan.fromRegion;
    const undo: PlanBlock = { id: `undo-${b.id}`, description: describeUndo(b), action: inverse, timeoutSeconds: b.timeoutSeconds, undo: { keep: 'an undo is not undone' }, ...(bestEffort ? { bestEffort } : {}) };
    steps.push({ id: `undo-${b.id}`, name: undo.description, blocks: [undo] });
  }
  return steps;
}
