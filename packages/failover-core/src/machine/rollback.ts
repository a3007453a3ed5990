import type { BlockAction, PlanBlock, PlanStep } from '../plan/types.js';
import { inverseOf } from './assess.js';
import { planBlocks, regionOf } from './run-state.js';
import type { BlockState, RunState } from './types.js';

/** What an undo does, in the words of the value it sets back. */
function describeUndo(inverse: BlockAction): string {
  switch (inverse.kind) {
    case 'set-endpoint-weight':
      return `Set ${inverse.group.region} endpoint weight back to ${inverse.weight}`;
    case 'set-traffic-dial':
      return `Set ${inverse.group.region} traffic dial back to ${inverse.percent}%`;
    case 'set-capacity':
      return `Set ${inverse.asg.autoScalingGroupName} in ${inverse.asg.region} back to min ${inverse.capacity.min}, desired ${inverse.capacity.desired}, max ${inverse.capacity.max}`;
    case 'set-write-fence':
      return inverse.fenced
        ? `Fence ${inverse.db.dbInstanceIdentifier} in ${inverse.db.region} again (read_only 1)`
        : `Lift the write fence of ${inverse.db.dbInstanceIdentifier} in ${inverse.db.region} again (read_only back to its default)`;
    default:
      return `Undo ${inverse.kind}`;
  }
}

/** True when a block may have changed the world: a call was decided on (and so may have been sent). */
export const mayHaveActed = (b: BlockState | undefined): boolean =>
  b !== undefined && (b.actedAt !== undefined || b.uncertain === true || b.intentAt !== undefined);

/**
 * The undo steps of a run that failed (or was aborted) before its point of no return: for every
 * block marked `restore` that may have acted, the inverse of its change, newest first, one step
 * each, so a region's write fence is lifted before its traffic comes back. Restores in the
 * region the run was moving to are best effort: if it does not answer, the controller takes
 * its capacity to 0 and fences its database when it does (containment).
 */
export function rollbackSteps(state: RunState): PlanStep[] {
  const blocks = planBlocks(state);
  // Newest first; calls decided at the same moment (one step's parallel blocks), last in the plan first.
  const acted = blocks
    .map((b, index) => ({ b, index }))
    .filter(({ b }) => b.undo === 'restore' && mayHaveActed(state.blocks[b.id]) && state.blocks[b.id]?.before !== undefined)
    .sort((x, y) => (state.blocks[y.b.id]?.intentAt ?? 0) - (state.blocks[x.b.id]?.intentAt ?? 0) || y.index - x.index)
    .map(({ b }) => b);
  const steps: PlanStep[] = [];
  for (const b of acted) {
    const before = state.blocks[b.id]?.before;
    const inverse = before && inverseOf(b.action, before);
    if (!inverse) continue;
    const bestEffort = regionOf(inverse) === state.plan.toRegion && state.plan.toRegion !== state.plan.fromRegion;
    const undo: PlanBlock = {
      id: `undo-${b.id}`,
      description: describeUndo(inverse),
      action: inverse,
      timeoutSeconds: b.timeoutSeconds,
      undo: { keep: 'an undo is not undone' },
      ...(bestEffort ? { bestEffort } : {}),
    };
    steps.push({ id: `undo-${b.id}`, name: undo.description, blocks: [undo] });
  }
  return steps;
}
