import { buildPlan, evaluatePreconditions, measureRun, Runner, stateKeys, isTerminal, type Operation, type PreconditionProblem, type RunState } from '@dr/failover-core';
import { isLockHeld } from '@dr/failover-core/errors';
import { Command } from 'commander';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { expectations } from '../expectations.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';
import { printPlan, printTimelineEntry } from '../progress.js';

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
};

function printProblems(out: Output, problems: readonly PreconditionProblem[], force: boolean): void {
  const c = out.color;
  if (problems.length === 0) out.line(`  ${c.green('✓')} every precondition passes`);
  for (const p of problems) {
    const forced = p.kind === 'rpo' && force;
    out.line(`  ${forced ? c.yellow('!') : c.red('✗')} ${p.kind === 'rpo' ? 'RPO guard: ' : ''}${p.message}${forced ? c.yellow(' — forced: those writes may be lost') : ''}`);
  }
}

/** What an operation command prints under `--json`. */
function document(run: RunState | undefined, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    runId: run?.runId ?? null,
    operation: run?.operation ?? null,
    phase: run?.phase ?? null,
    measures: run ? measureRun(run) : null,
    failure: run?.failure ?? null,
    timeline: run?.timeline ?? [],
  };
}

async function operate(operation: Operation, flags: OperateFlags, context: CommandContext): Promise<void> {
  const { awsContext } = await import('../aws-context.js');
  const { config, ports, owner } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  const stateKey = stateKeys(config.app).control;
  const stored = (await Runner.read(ports, stateKey))?.value;
  const unfinished = stored?.run && !isTerminal(stored.run.phase) ? stored.run : undefined;
  if (unfinished && unfinished.operation !== operation) {
    throw new ExitError(`an unfinished ${unfinished.operation} (run ${unfinished.runId}) must finish first: run dr ${unfinished.operation} to resume it`, EXIT.failed);
  }

  const runId = `${operation}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const plan = unfinished?.plan ?? buildPlan(config, operation, { runTag: runId });
  const [report, expected] = await Promise.all([
    unfinished ? Promise.resolve(undefined) : evaluatePreconditions(plan, ports, config.objectives.maxDataLossSeconds),
    expectations(config, operation),
  ]);
  const problems = report?.problems ?? [];
  const blocking = problems.filter((p) => p.kind !== 'rpo' || !flags.force);

  out.line(c.bold(`${config.app}: ${operation} from ${plan.fromRegion} to ${plan.toRegion}`));
  out.line(c.dim(WHAT[operation]));
  printPlan(out, plan, expected);
  if (unfinished) out.line(c.yellow(`\nResuming run ${unfinished.runId} (${unfinished.phase}, at "${unfinished.plan.steps[unfinished.stepIndex]?.name ?? 'the start'}"): started earlier and not finished.`));
  else {
    out.heading('Preconditions');
    printProblems(out, problems, flags.force === true);
  }

  if (flags.dryRun) {
    if (flags.json) out.document({ dryRun: true, operation, plan, problems, expected, resuming: unfinished?.runId ?? null });
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
    const verb = unfinished ? `Resume the ${operation} of ${config.app}` : `${operation[0]!.toUpperCase()}${operation.slice(1)} ${config.app} from ${plan.fromRegion} to ${plan.toRegion}?`;
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
  let printed = unfinished?.timeline.length ?? 0;
  const stamp = (at: number) => c.dim(`[${new Date(at).toISOString().slice(11, 19)}]`);
  const runner = new Runner({
    ports,
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
  if (flags.json) out.document(document(state));
  out.heading('Timeline');
  const steps = state.plan.steps.map((step) => {
    const start = state.timeline.find((e) => e.kind === 'step-started' && e.stepId === step.id)?.at;
    const end = state.timeline.find((e) => e.kind === 'step-ended' && e.stepId === step.id)?.at;
    return [step.name, start ? new Date(start).toISOString().slice(11, 19) : '—', start && end ? `${((end - start) / 1000).toFixed(1)} s` : start ? c.yellow('unfinished') : '—'];
  });
  out.table(['step', 'started', 'took'], steps);
  out.fields([
    ['outcome', state.phase === 'completed' ? c.green('completed') : c.red(state.phase)],
    ['RTO', m.rtoSeconds === null ? '—' : `${m.rtoSeconds} s (objective ${config.objectives.rtoSeconds} s)`],
    ['RPO', m.rpoSeconds === null ? '—' : `${m.rpoSeconds} s (objective ${config.objectives.maxDataLossSeconds} s)`],
    ['run', state.runId],
  ]);
  if (state.phase === 'completed') return;
  if (stop.signal.aborted || !isTerminal(state.phase)) {
    const at = state.plan.steps[state.stepIndex]?.name ?? 'the start';
    throw new ExitError(`stopped at "${at}" with the run kept: run dr ${operation} again to resume from there`, EXIT.failed);
  }
  throw new ExitError(`${operation} ${state.phase}${state.failure ? ` at ${state.failure.stepId ?? ''}/${state.failure.blockId ?? ''}: ${state.failure.message}` : ''}`, EXIT.failed);
}

/** `dr failover`, `dr switchover`, `dr failback`: one command each, through the same runner and state table as the controller Lambda. */
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
      `\nExamples:\n  dr ${operation} --app lamp --region us-east-1 --dry-run\n  dr ${operation} --app lamp --region us-east-1\n  dr ${operation} --config dr.json --yes --json\n\nAn interrupted run (Ctrl-C, a lost terminal) is kept in the state table: run the same command again to resume it.\nExit code: 0 completed (or a dry run that could start), 1 refused, failed or stopped, 2 bad input.`,
    )
    .action(async (flags: OperateFlags) => operate(operation, flags, context));
}

/** `dr plan <operation>`: preconditions and the plan with expected durations, changing nothing. */
export function planCommand(context: CommandContext): Command {
  const command = new Command('plan').argument('<operation>', 'failover, switchover or failback').description('Evaluate the preconditions of an operation and print its plan: steps, parallel blocks, expected duration of each and the expected RTO.');
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  dr plan failover --app lamp --region us-east-1\n  dr plan failback --config dr.json --json')
    .action(async (operation: string, flags: AwsFlags & { json?: boolean }) => {
      if (!['failover', 'switchover', 'failback'].includes(operation)) {
        throw new UsageError(`operation must be failover, switchover or failback; got ${JSON.stringify(operation)}`);
      }
      await operate(operation as Operation, { ...flags, dryRun: true }, context);
    });
}
