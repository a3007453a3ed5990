import { activeSteps, buildPlan, evaluatePreconditions, measureRun, Runner, stateKeys, isTerminal, summarizeRun, type Operation, type Plan, type PreconditionProblem, type RunState } from '@dr/failover-core';
import { isLockHeld } from '@dr/failover-core/errors';
import { Command } from 'commander';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { expectations } from '../expectations.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';
import { outcomeColour, planTitle, printPlan, printTimelineEntry, rebuildRegion, utcClock } from '../progress.js';
import { printRunSummary } from '../run-summary.js';

interface OperateFlags extends AwsFlags {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

const WHAT: Readonly<Record<Operation, string>> = {
  failover: 'Fail over to the DR region now (unplanned: the primary is impaired). Promotes the replica, scales the DR region, moves traffic.',
  switchover: 'Switch over to the DR region with no data loss (planned: both regions healthy). Fences writes, waits for the replica to catch up, then as a failover.',
  failback: 'Fail back to the original primary region after a failover: a replica there from the promoted database, in sync, a switchover back, then the pilot light rebuilt.',
  rebuild: 'Rebuild the pilot light in the region that does not serve: retire its database (renamed and kept), replicate the serving database there anew as deployed, capacity 0, its fence lifted. Moves no traffic.',
};

/** Every operation a person runs with `dr <operation>`, in the order `dr --help` lists them. */
const OPERATIONS: readonly Operation[] = ['failover', 'switchover', 'failback', 'rebuild'];

/**
 * A failed run that running its command again goes on with (the runner retries it): past its
 * point of no return (from the failed block), or with a rollback still to finish.
 */
const retryable = (run: RunState): boolean => run.phase === 'failed' && (run.committedAt !== undefined || run.rollback !== undefined);

/** What carrying on with a stored run will do, said before the operator confirms. */
function carryOnNotice(run: RunState): string {
  if (!isTerminal(run.phase)) return `Resuming run ${run.runId} (${run.phase}, at "${activeSteps(run)[run.stepIndex]?.name ?? 'the start'}"): started earlier and not finished.`;
  if (run.committedAt === undefined) {
    const left = summarizeRun(run).changes.filter((ch) => ch.fate === 'not-undone').map((ch) => ch.blockId);
    return `Finishing the rollback of run ${run.runId}: it failed before its point of no return and ${left.length ? `could not undo ${left.join(', ')}` : 'did not finish undoing its changes'} (${run.failure?.message ?? 'no reason recorded'}).`;
  }
  return `Retrying run ${run.runId} from ${run.failure?.blockId ?? 'the failed step'}: it failed past its point of no return (${run.failure?.message ?? 'no reason recorded'}); what it did stays done.`;
}

function printProblems(out: Output, problems: readonly PreconditionProblem[], force: boolean): void {
  const c = out.color;
  if (problems.length === 0) out.line(`  ${c.green('✓')} every precondition passes`);
  for (const p of problems) {
    const forced = p.kind === 'rpo' && force;
    out.line(`  ${forced ? c.yellow('!') : c.red('✗')} ${p.kind === 'rpo' ? 'RPO guard: ' : ''}${p.message}${forced ? c.yellow(' — forced: those writes may be lost') : ''}`);
  }
}

/** What an operation command prints under `--json`: the run, its measures, and its summary (what changed, the state now, the next command). */
function document(run: RunState | undefined, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    runId: run?.runId ?? null,
    operation: run?.operation ?? null,
    phase: run?.phase ?? null,
    committedAt: run?.committedAt ?? null,
    measures: run ? measureRun(run) : null,
    failure: run?.failure ?? null,
    summary: run ? summarizeRun(run) : null,
    timeline: run?.timeline ?? [],
  };
}

/** The steps of a run as people read its timeline: the plan's, then any undo steps of a rollback. */
function timelineRows(out: Output, state: RunState): string[][] {
  const c = out.color;
  const steps = [...state.plan.steps, ...(state.rollback?.steps ?? [])];
  return steps.map((step) => {
    const start = state.timeline.find((e) => e.kind === 'step-started' && e.stepId === step.id)?.at;
    const end = state.timeline.find((e) => e.kind === 'step-ended' && e.stepId === step.id)?.at;
    return [step.name, start ? utcClock(start) : '—', start && end ? `${((end - start) / 1000).toFixed(1)} s` : start ? c.yellow('unfinished') : '—'];
  });
}

async function operate(operation: Operation, flags: OperateFlags, context: CommandContext): Promise<void> {
  const { awsContext } = await import('../aws-context.js');
  const { config, ports, owner } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  const startedAt = new Date().toISOString();
  const runId = `${operation}-${startedAt.replace(/[:.]/g, '-')}`;
  // Names what a failback or rebuild retires (`<id>-retired-<tag>`, the last 12 letters and digits
  // kept): yymmddhhmmss in UTC says when, where the run id's tail would say nothing.
  const runTag = startedAt.replace(/\D/g, '').slice(2, 14);
  // Refused before anything starts: a config that cannot support the operation (a failback
  // recreates databases as deployed) throws the engine's ConfigError, naming each missing field,
  // which the entry point maps to exit code 2. A rebuild's region is known only from the record.
  const fresh: Plan | undefined = operation === 'rebuild' ? undefined : buildPlan(config, operation, { runTag });
  const stateKey = stateKeys(config.app).control;
  const stored = (await Runner.read(ports, stateKey))?.value;
  const last = stored?.run;
  const unfinished = last && !isTerminal(last.phase) ? last : undefined;
  if (unfinished && unfinished.operation !== operation) {
    throw new ExitError(`an unfinished ${unfinished.operation} (run ${unfinished.runId}) must finish first: run dr ${unfinished.operation} to resume it`, EXIT.failed);
  }
  if (last && retryable(last) && last.committedAt === undefined && last.operation !== operation) {
    throw new ExitError(`the last ${last.operation} (run ${last.runId}) left changes it could not undo: run dr ${last.operation} to finish its rollback first`, EXIT.failed);
  }
  // A failed run of the same operation is retried by running its command again (the runner does it).
  const carried = unfinished ?? (last && retryable(last) && last.operation === operation ? last : undefined);
  const plan = carried?.plan ?? fresh ?? buildPlan(config, operation, { from: stored?.active ?? 'primary', runTag });
  // The runner refuses this too, after the preconditions; said first, it is the reason people
  // need (a promoted DR database would otherwise be reported as a missing pilot light).
  if (!carried && (stored?.active ?? 'primary') !== plan.from) {
    throw new ExitError(`traffic is served from the ${stored?.active} region already; a ${operation} from the ${plan.from} region has nothing to do (see dr status)`, EXIT.failed);
  }
  const [report, expected] = await Promise.all([
    carried ? Promise.resolve(undefined) : evaluatePreconditions(plan, ports, config.objectives.maxDataLossSeconds),
    expectations(config, operation),
  ]);
  const problems = report?.problems ?? [];
  const blocking = problems.filter((p) => p.kind !== 'rpo' || !flags.force);

  out.line(c.bold(`${config.app}: ${planTitle(plan)}`));
  out.line(c.dim(WHAT[operation]));
  printPlan(out, plan, expected);
  if (carried) out.line(c.yellow(`\n${carryOnNotice(carried)}`));
  else {
    out.heading('Preconditions');
    printProblems(out, problems, flags.force === true);
  }

  if (flags.dryRun) {
    if (flags.json) out.document({ dryRun: true, operation, plan, problems, expected: expected ?? null, resuming: unfinished?.runId ?? null, retrying: carried && !unfinished ? carried.runId : null });
    out.line(c.dim('\nDry run: nothing was changed.'));
    context.exitCode = blocking.length === 0 ? EXIT.ok : EXIT.failed;
    return;
  }
  if (blocking.length > 0) {
    const rpo = blocking.some((p) => p.kind === 'rpo');
    if (flags.json) out.document(document(undefined, { refused: problems }));
    throw new ExitError(`${operation} not started: ${blocking.map((p) => p.message).join('; ')}${rpo ? ' (--force proceeds past the RPO guard and accepts losing those writes)' : ''}`, EXIT.failed);
  }
  if (flags.force && problems.some((p) => p.kind === 'rpo')) out.line(c.yellow(`\nForced past the RPO guard: up to ${report?.replicaLagSeconds ?? '?'} s of writes not yet replicated to ${plan.toRegion} may be lost.`));

  if (!flags.yes) {
    const verb = unfinished
      ? `Resume the ${operation} of ${config.app}?`
      : carried
        ? carried.committedAt === undefined
          ? `Finish the rollback of the ${operation} of ${config.app}?`
          : `Retry the ${operation} of ${config.app} from ${carried.failure?.blockId ?? 'the failed step'}?`
        : operation === 'rebuild'
          ? `Rebuild the pilot light of ${config.app} in ${rebuildRegion(plan)}?`
          : `${operation[0]!.toUpperCase()}${operation.slice(1)} ${config.app} from ${plan.fromRegion} to ${plan.toRegion}?`;
    if (!(await confirm(`\n${verb}`, operation))) throw new ExitError('not confirmed: nothing was changed', EXIT.failed);
  }

  // Ctrl-C stops after the calls in flight and frees the lease, so running the command again resumes at once.
  const stop = new AbortController();
  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(EXIT.failed);
    stop.abort();
    process.stderr.write(`\n${c.yellow('stopping after the calls in flight; the run is kept: run the same command again to resume (Ctrl-C again to quit now)')}\n`);
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let printed = carried?.timeline.length ?? 0;
  const stamp = (at: number) => c.dim(`[${utcClock(at)}]`);
  const runner = new Runner({
    ports,
    config,
    owner,
    stateKey,
    signal: stop.signal,
    // The operator who confirmed is the approver of a run that awaits one.
    approve: async () => owner,
    onTransition: (state) => {
      for (const entry of state.timeline.slice(printed)) printTimelineEntry(out, stamp(entry.at), entry, state);
      printed = state.timeline.length;
    },
  });
  out.heading('Run');
  let state: RunState;
  try {
    // `start` also retries a failed run of the same operation; `resume` takes up an unfinished one (or approves a parked one).
    const outcome = unfinished
      ? await runner.resume()
      : await runner.start({ runId, operation, plan, maxDataLossSeconds: config.objectives.maxDataLossSeconds, force: flags.force === true, approvalRequired: false });
    if (!outcome) throw new ExitError('the run finished while this command was starting; see dr status', EXIT.failed);
    state = outcome.state;
  } catch (e) {
    if (isLockHeld(e)) throw new ExitError(`another controller is acting (${(e as Error).message}); nothing was changed: try again when it has finished or its lease has lapsed`, EXIT.failed, { cause: e });
    throw e;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }

  const m = measureRun(state);
  const summary = summarizeRun(state);
  if (flags.json) out.document(document(state));
  out.heading('Timeline');
  out.table(['step', 'started', 'took'], timelineRows(out, state));
  out.fields([
    ['outcome', outcomeColour(out, state.phase)],
    ['RTO', m.rtoSeconds === null ? '—' : `${m.rtoSeconds} s (objective ${config.objectives.rtoSeconds} s)`],
    ['RPO', m.rpoSeconds === null ? '—' : `${m.rpoSeconds} s (objective ${config.objectives.maxDataLossSeconds} s)`],
    ['run', state.runId],
  ]);
  printRunSummary(out, summary, utcClock);
  if (state.phase === 'completed') return;
  if (stop.signal.aborted || !isTerminal(state.phase)) {
    const at = activeSteps(state)[state.stepIndex]?.name ?? 'the start';
    throw new ExitError(`stopped at "${at}" with the run kept: run dr ${operation} again to resume from there`, EXIT.failed);
  }
  const where = state.failure ? ` at ${state.failure.stepId ?? ''}/${state.failure.blockId ?? ''}: ${state.failure.message}` : '';
  throw new ExitError(`${operation} ${state.phase}${where}. Next: ${summary.next}`, EXIT.failed);
}

/** `dr failover`, `dr switchover`, `dr failback`, `dr rebuild`: one command each, through the same runner and state table as the controller Lambda. */
export function operationCommand(operation: Operation, context: CommandContext): Command {
  const command = new Command(operation).description(WHAT[operation]);
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--yes', 'go ahead without asking (it still shows the plan)')
    .option('--dry-run', 'evaluate the preconditions and show the plan; change nothing')
    .option('--force', 'proceed past the RPO guard, accepting the loss of writes the replica has not received')
    .option('--json', 'print one JSON document at the end (progress is not printed)')
    .addHelpText(
      'after',
      `\nExamples:\n  dr ${operation} --app lamp --region us-east-1 --dry-run\n  dr ${operation} --app lamp --region us-east-1\n  dr ${operation} --config dr.json --yes --json\n\nAn interrupted run (Ctrl-C, a lost terminal) is kept in the state table: run the same command again to resume it.\nA run that failed is retried the same way: from the failed block past its point of no return, or by finishing its rollback before it.\nEvery run ends with what it changed (kept, undone, not undone, left to the controller), the state now, and the one command to run next.\nExit code: 0 completed (or a dry run that could start), 1 refused, failed or stopped, 2 bad input.`,
    )
    .action(async (flags: OperateFlags) => operate(operation, flags, context));
}

/** `dr plan <operation>`: preconditions and the plan with expected durations, changing nothing. */
export function planCommand(context: CommandContext): Command {
  const command = new Command('plan').argument('<operation>', OPERATIONS.join(', ')).description('Evaluate the preconditions of an operation and print its plan: steps, parallel blocks, expected duration of each and the expected RTO.');
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  dr plan failover --app lamp --region us-east-1\n  dr plan failback --config dr.json --json\n  dr plan rebuild --app lamp --region us-east-1\n\nA rebuild has no expected durations: no drill times it on its own.')
    .action(async (operation: string, flags: AwsFlags & { json?: boolean }) => {
      if (!(OPERATIONS as readonly string[]).includes(operation)) {
        throw new UsageError(`operation must be one of ${OPERATIONS.join(', ')}; got ${JSON.stringify(operation)}`);
      }
      await operate(operation as Operation, { ...flags, dryRun: true }, context);
    });
}
