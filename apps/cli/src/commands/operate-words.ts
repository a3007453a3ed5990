import {
  activeSteps,
  isTerminal,
  stepTimings,
  summarizeRun,
  type DrConfig,
  type Operation,
  type Plan,
  type PreconditionProblem,
  type Rehearsal,
  type RunState,
} from '@dr/failover-core';
import type { Output } from '../output.js';
import { rebuildRegion, utcClock } from '../progress.js';

/** What each operation does, as its `--help` and its plan's header say it. */
export const WHAT: Readonly<Record<Operation, string>> = {
  failover:
    'Fail over to the DR region now (unplanned: the primary is impaired). Promotes the replica, scales the DR region, moves traffic.',
  switchover:
    'Switch over to the DR region with no data loss (planned: both regions healthy). Fences writes, waits for the replica to catch up, then as a failover.',
  failback:
    'Fail back to the original primary region after a failover: a replica there from the promoted database, in sync, a switchover back, then the pilot light rebuilt.',
  rebuild:
    'Rebuild the pilot light in the region that does not serve: retire its database (renamed and kept), replicate the serving database there anew as deployed, capacity 0, its fence lifted. Moves no traffic.',
};

/** What each operation does on the Aurora global database tier, as its plan's header says it. */
const WHAT_ON_AURORA: Readonly<Record<Operation, string>> = {
  failover:
    'Fail over to the DR region now (unplanned: the primary is impaired). Aurora fails the global database over (FailoverGlobalCluster, AllowDataLoss), the DR region scales, traffic moves.',
  switchover:
    'Switch over to the DR region with no data loss (planned: both regions healthy). Drains and fences the primary, then SwitchoverGlobalCluster, which waits for every write.',
  failback:
    'Fail back to the original primary region after a failover: once AWS has re-added its cluster as a secondary, keep the snapshot of its old volume, then switch over back.',
  rebuild:
    "Rebuild the pilot light in the region that does not serve: wait for its cluster to rejoin the global database, keep its old volume's snapshot, capacity 0, its fence lifted. Moves no traffic.",
};

/** What `operation` does on `config`'s data tier, as its plan's header says it. */
export const whatOn = (config: DrConfig, operation: Operation): string =>
  config.database.tier === 'aurora-global' ? WHAT_ON_AURORA[operation] : WHAT[operation];

/** What carrying on with a stored run will do, said before the operator confirms. */
export function carryOnNotice(run: RunState): string {
  if (!isTerminal(run.phase))
    return `Resuming run ${run.runId} (${run.phase}, at "${activeSteps(run)[run.stepIndex]?.name ?? 'the start'}"): started earlier and not finished.`;
  if (run.committedAt === undefined) {
    const left = summarizeRun(run)
      .changes.filter((ch) => ch.fate === 'not-undone')
      .map((ch) => ch.blockId);
    return `Finishing the rollback of run ${run.runId}: it failed before its point of no return and ${left.length ? `could not undo ${left.join(', ')}` : 'did not finish undoing its changes'} (${run.failure?.message ?? 'no reason recorded'}).`;
  }
  return `Retrying run ${run.runId} from ${run.failure?.blockId ?? 'the failed step'}: it failed past its point of no return (${run.failure?.message ?? 'no reason recorded'}); what it did stays done.`;
}

/** The preconditions as evaluated: a pass, or each problem (an RPO problem forced past marked as such). */
export function printProblems(out: Output, problems: readonly PreconditionProblem[], force: boolean): void {
  const c = out.color;
  if (problems.length === 0) out.line(`  ${c.green('✓')} every precondition passes`);
  for (const p of problems) {
    const forced = p.kind === 'rpo' && force;
    out.line(
      `  ${forced ? c.yellow('!') : c.red('✗')} ${p.kind === 'rpo' ? 'RPO guard: ' : ''}${p.message}${forced ? c.yellow(' — forced: those writes may be lost') : ''}`,
    );
  }
}

/**
 * A refusal, whoever made it: `lease` (another controller holds the lease), `record` (the
 * control record: another run unfinished, traffic elsewhere), or `run` (the run refused itself:
 * a precondition, the RPO guard). The dry run and the real run say it in these same words.
 */
export interface Refusal {
  readonly by: 'lease' | 'record' | 'run';
  readonly message: string;
  readonly problems: readonly PreconditionProblem[];
}

/** The refusal a rehearsal met, as {@link refusalText} words it. */
export const rehearsedRefusal = (r: Rehearsal): Refusal => ({
  by: r.refusal?.reason === 'lease-held' ? 'lease' : r.refusal?.reason === 'run-refused' ? 'run' : 'record',
  message: r.refusal?.message ?? 'refused',
  problems: r.problems,
});

/** A refusal in the words the operator reads, with what to do about it. */
export function refusalText(operation: Operation, refusal: Refusal, force: boolean): string {
  switch (refusal.by) {
    case 'lease':
      return `another controller is acting (${refusal.message}); nothing was changed: try again when it has finished or its lease has lapsed`;
    case 'run': {
      const rpo = !force && refusal.problems.some((p) => p.kind === 'rpo');
      return `${operation} not started: ${refusal.message}${rpo ? ' (--force proceeds past the RPO guard and accepts losing those writes)' : ''}`;
    }
    case 'record':
      return refusal.message;
    default:
      return refusal.by satisfies never;
  }
}

/** What a dry run says the real run would begin with. */
export function firstMove(r: Rehearsal): string[] {
  const stop = r.stoppedBefore;
  switch (stop?.kind) {
    case 'act':
      return ['Its first change:', ...stop.changes.map((ch) => `  ${ch.blockId}: ${ch.description}`)];
    case 'request-approval':
      return ['It would first ask for an approval.'];
    case 'notify':
      return [`It would first notify: ${stop.subject}.`];
    case 'wait':
      return [`It would first wait for ${stop.blockIds.join(', ')} (nothing to change before that).`];
    case 'end':
    case undefined:
      return ['It has nothing left to change.'];
    default:
      return stop satisfies never;
  }
}

/** The question asked before the real run: what it will do, to what, and from where to where. */
export function confirmQuestion(app: string, operation: Operation, r: Rehearsal, carried: RunState | undefined, shown: Plan): string {
  if (r.decision.kind === 'resume') return `Resume the ${operation} of ${app}?`;
  if (carried)
    return carried.committedAt === undefined
      ? `Finish the rollback of the ${operation} of ${app}?`
      : `Retry the ${operation} of ${app} from ${carried.failure?.blockId ?? 'the failed step'}?`;
  if (operation === 'rebuild') return `Rebuild the pilot light of ${app} in ${rebuildRegion(shown)}?`;
  return `${operation[0]!.toUpperCase()}${operation.slice(1)} ${app} from ${shown.fromRegion} to ${shown.toRegion}?`;
}

/** The body of a run's JSON document: the run as recorded (its measures and summary are in the head). */
export function runBody(run: RunState | undefined, error: string | null) {
  return {
    runId: run?.runId ?? null,
    operation: run?.operation ?? null,
    phase: run?.phase ?? null,
    committedAt: run?.committedAt ?? null,
    failure: run?.failure ?? null,
    timeline: run?.timeline ?? [],
    error,
  };
}

/** The rows of the timeline table (step, started, took), from the library's step timings. */
export function timelineRows(out: Output, state: RunState): string[][] {
  return stepTimings(state).map((t) => [
    t.name,
    t.startedAt !== null ? utcClock(t.startedAt) : '—',
    t.durationMs !== null ? `${(t.durationMs / 1000).toFixed(1)} s` : t.startedAt !== null ? out.color.yellow('unfinished') : '—',
  ]);
}
