import { estimateMonthlyCost } from '../cost/rds-prices.js';
import { actionsOf, blocksOf, isMutating, type PlanBlock } from '../plan/types.js';
import { mayHaveActed } from './rollback.js';
import { isDone, planBlocks } from './run-state.js';
import type { RunState } from './types.js';

/** What became of one change a run made. */
export type ChangeFate =
  /** It stays: the run completed, passed its point of no return, or the block keeps its change by design. */
  | 'kept'
  | 'undone'
  /** Its undo did not happen (yet): see the run's next command. */
  | 'not-undone'
  /** Its undo is the controller's to finish (containment) when the region answers. */
  | 'left-to-controller';

/** One change a run made (or may have made: a call that timed out), and its fate. */
export interface RunChange {
  readonly blockId: string;
  readonly description: string;
  /** When the call was made (epoch ms). */
  readonly at: number;
  /** The call's answer never came: it may or may not have taken effect. */
  readonly uncertain: boolean;
  readonly fate: ChangeFate;
  /** Why a `kept` change was kept, for a run that rolled back. */
  readonly why?: string | undefined;
}

/** Every run ends with this: what changed, the state it left, and the one command to run next. */
export interface RunSummary {
  readonly changes: readonly RunChange[];
  /** The state now, as far as the run observed it. */
  readonly now: string;
  /** The one command to run next, with why. */
  readonly next: string;
}

const time = (at: number): string => new Date(at).toISOString().slice(11, 19);

function fateOf(run: RunState, block: PlanBlock): Pick<RunChange, 'fate' | 'why'> {
  if (run.phase !== 'rolled-back' && !(run.phase === 'failed' && run.rollback) && run.phase !== 'rolling-back') return { fate: 'kept' };
  if (block.undo !== 'restore') return { fate: 'kept', why: block.undo.keep };
  const undo = run.blocks[`undo-${block.id}`];
  if (undo?.status === 'done') return { fate: 'undone' };
  if (undo?.status === 'skipped') return { fate: 'left-to-controller' };
  return { fate: 'not-undone' };
}

/**
 * The changes a run made, oldest first: every mutating block that may have acted, as the rollback
 * counts them. A call whose intent was recorded but whose answer was not (the runner stopped, or
 * lost its lease, while it was in flight) may have landed, so it is listed, as uncertain.
 */
export function runChanges(run: RunState): RunChange[] {
  return planBlocks(run)
    .filter((b) => isMutating(b.action) && mayHaveActed(run.blocks[b.id]))
    .map((b) => {
      const s = run.blocks[b.id]!;
      return {
        blockId: b.id,
        description: b.description,
        at: s.actedAt ?? s.intentAt ?? 0,
        uncertain: s.actedAt === undefined,
        ...fateOf(run, b),
      };
    })
    .sort((a, b) => a.at - b.at);
}

const blockSkipped = (run: RunState, id: string): boolean => run.blocks[id]?.status === 'skipped';

/** Where users are, judged from the blocks the run saw done. */
function trafficNow(run: RunState): string {
  const to = run.plan.toRegion;
  if (isDone(run, 'verify-serving')) return `${to} serves users (verified)`;
  if (isDone(run, 'open-weight') || isDone(run, 'open-dial')) return `traffic is sent to ${to}, which was not seen serving`;
  return `traffic was not moved to ${to}: users are not served by it`;
}

function containmentNote(run: RunState): string {
  const skipped = ['contain-writes', 'contain-capacity'].filter((id) => blockSkipped(run, id));
  if (skipped.length === 0) return '';
  const what = skipped
    .map((id) => (id === 'contain-writes' ? 'its database may still take writes' : 'its capacity is not yet 0'))
    .join(' and ');
  return ` ${run.plan.fromRegion} did not answer, so ${what}: the controller fences it when it does.`;
}

/** Say only what was seen: a detector's run began because the source looked impaired, so it may not serve yet. */
const impairedNote = (run: RunState): string =>
  run.trigger === 'detector' && run.operation === 'failover'
    ? `, which looked impaired when the run began: it serves again once it recovers`
    : '';

/** A planned handover rolled back after the target's promotion: the pilot light is gone until rebuilt. */
const promotedThenRolledBack = (run: RunState): boolean =>
  run.operation !== 'failover' && run.rollback !== undefined && mayHaveActed(run.blocks['promote-replica']);

/**
 * The databases a run retired (renamed, kept for reconciliation), with what each keeps costing:
 * they keep billing, and keep the deletion protection they were deployed with.
 */
function retiredNote(run: RunState): string {
  const retired = blocksOf(run.plan, 'retire-instance').filter(
    (b) => run.blocks[b.id]?.status === 'done' && !/nothing to retire/.test(run.blocks[b.id]?.detail ?? ''),
  );
  if (retired.length === 0) return '';
  const names = retired.map((b) => {
    const a = b.action;
    const cost = estimateMonthlyCost({ region: a.db.region, instanceClass: a.instanceClass });
    return `${a.newIdentifier} in ${a.db.region}${cost ? ` (about $${cost.usd.toFixed(0)} a month: ${cost.basis})` : ''}`;
  });
  return ` Retired and kept for reconciliation, still billing: ${names.join('; ')}. Delete each once it is no longer needed (turn off its deletion protection first; keep a final snapshot).`;
}

/**
 * What became of the old volume of a cluster a global failover took the writer from, as the run
 * saw it: kept as a manual snapshot (the writes the failover lost are in it), or none found.
 */
function keptNote(run: RunState): string {
  const [keep] = blocksOf(run.plan, 'keep-failover-snapshot');
  const state = keep && run.blocks[keep.id];
  if (!keep || state?.status !== 'done') return '';
  const { cluster, copyIdentifier } = keep.action;
  if (/kept no snapshot/.test(state.detail ?? ''))
    return ` Aurora kept no snapshot of ${cluster.dbClusterIdentifier}'s old volume in ${cluster.region} (none was found).`;
  // Aurora only tries to snapshot the old volume: the newest one there may be an earlier failover's.
  const captured = /captured at ([^,)]+ UTC)/.exec(state.detail ?? '')?.[1];
  const when = captured ? ` (the old volume as captured at ${captured}: check that it is this failover's)` : '';
  return ` The writes the failover lost are kept in snapshot ${copyIdentifier} in ${cluster.region}${when}: reconcile them, then delete it.`;
}

/** The summary every run ends with. Pure; says only what the run observed. */
export function summarizeRun(run: RunState): RunSummary {
  const changes = runChanges(run);
  const op = run.operation;
  const { fromRegion, toRegion } = run.plan;
  const cause = run.failure?.message ?? run.timeline.findLast((e) => e.kind === 'refused')?.message ?? '';
  switch (run.phase) {
    case 'completed': {
      const rejoined = actionsOf(run.plan, 'await-rejoined')[0];
      if (op === 'rebuild' && rejoined)
        return {
          changes,
          now: `The pilot light in ${rejoined.cluster.region} is back: ${rejoined.cluster.dbClusterIdentifier} is a synchronized secondary of ${rejoined.globalClusterIdentifier}, its fence lifted, capacity 0.${keptNote(run)}`,
          next: 'dr status, to see the DR region ready',
        };
      if (op === 'rebuild') {
        const dark = actionsOf(run.plan, 'create-replica')[0];
        return {
          changes,
          now: `The pilot light in ${dark ? dark.db.region : 'the DR region'} is rebuilt: a new replica, its fence lifted, capacity 0.${retiredNote(run)}`,
          next: 'dr status, to see the DR region ready',
        };
      }
      const next =
        op === 'failover'
          ? `dr failback, once ${fromRegion} is healthy again`
          : op === 'switchover'
            ? `dr failback, to return to ${fromRegion}`
            : 'dr status, to see the pilot light ready';
      return { changes, now: `${toRegion} serves traffic.${containmentNote(run)}${retiredNote(run)}${keptNote(run)}`, next };
    }
    case 'refused': {
      const rpo = run.problems.find((p) => p.kind === 'rpo');
      const recovered = run.problems.some((p) => p.kind === 'recovered');
      const next = recovered
        ? 'dr status: nothing to do, the primary looks healthy again'
        : /expire|approved/.test(cause)
          ? `dr ${op}, to start a new run if ${fromRegion} is still impaired`
          : rpo && !run.force
            ? `dr ${op} --force, to accept losing up to ${run.rpoSeconds ?? '?'} s of writes (or wait for the replica to catch up)`
            : `dr ${op}, once this is fixed: ${cause}`;
      return { changes, now: `Nothing was changed: traffic goes to ${fromRegion} as before${impairedNote(run)} (${cause}).`, next };
    }
    case 'rolled-back': {
      const left = changes.filter((c) => c.fate === 'left-to-controller').map((c) => c.blockId);
      const promoted = promotedThenRolledBack(run);
      const now = [
        `Rolled back before the point of no return: traffic goes to ${fromRegion} as before${impairedNote(run)}.`,
        left.length ? `Left to the controller in ${toRegion} (it did not answer): ${left.join(', ')}.` : '',
        promoted ? `${toRegion}'s database was promoted and stays fenced: the DR region has no pilot light until it is rebuilt.` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return {
        changes,
        now,
        next: promoted ? 'dr rebuild, once the DR region answers' : `dr ${op}, to try again once this is fixed: ${cause}`,
      };
    }
    case 'failed': {
      if (run.committedAt === undefined) {
        const notUndone = changes.filter((c) => c.fate === 'not-undone').map((c) => c.blockId);
        return {
          changes,
          now: `Rolling back left changes in place: ${notUndone.join(', ') || 'none recorded'} (${cause}).`,
          next: `dr ${op}, to finish the rollback`,
        };
      }
      const now = `Past the point of no return since ${time(run.committedAt)}: ${toRegion} is the active region; ${trafficNow(run)}.${containmentNote(run)}`;
      const next = `dr ${op}, to retry from ${run.failure?.blockId ?? 'the failed step'} once this is fixed: ${cause}${op === 'failover' ? ` (or dr failback, once ${fromRegion} is healthy)` : ''}`;
      return { changes, now, next };
    }
    default:
      return { changes, now: `The ${op} is ${run.phase}, at step ${run.stepIndex + 1}.`, next: `dr ${op}, to resume it` };
  }
}
