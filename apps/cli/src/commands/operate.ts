import {
  activeSteps,
  buildPlan,
  isTerminal,
  measureRun,
  Runner,
  stateKeys,
  summarizeRun,
  type Operation,
  type Plan,
  type PreconditionProblem,
  type Rehearsal,
  type RunState,
  type StartRequest,
} from '@dr/failover-core';
import { describeError, isLockHeld, isOperationRejected } from '@dr/failover-core/errors';
import { Command } from 'commander';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { expectations } from '../expectations.js';
import { jsonDocument, type DocumentCommand } from '../json-document.js';
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
  failover:
    'Fail over to the DR region now (unplanned: the primary is impaired). Promotes the replica, scales the DR region, moves traffic.',
  switchover:
    'Switch over to the DR region with no data loss (planned: both regions healthy). Fences writes, waits for the replica to catch up, then as a failover.',
  failback:
    'Fail back to the original primary region after a failover: a replica there from the promoted database, in sync, a switchover back, then the pilot light rebuilt.',
  rebuild:
    'Rebuild the pilot light in the region that does not serve: retire its database (renamed and kept), replicate the serving database there anew as deployed, capacity 0, its fence lifted. Moves no traffic.',
};

/** Every operation a person runs with `dr <operation>`, in the order `dr --help` lists them. */
const OPERATIONS: readonly Operation[] = ['failover', 'switchover', 'failback', 'rebuild'];

/** What carrying on with a stored run will do, said before the operator confirms. */
function carryOnNotice(run: RunState): string {
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

function printProblems(out: Output, problems: readonly PreconditionProblem[], force: boolean): void {
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
interface Refusal {
  readonly by: 'lease' | 'record' | 'run';
  readonly message: string;
  readonly problems: readonly PreconditionProblem[];
}

const rehearsedRefusal = (r: Rehearsal): Refusal => ({
  by: r.refusal?.reason === 'lease-held' ? 'lease' : r.refusal?.reason === 'run-refused' ? 'run' : 'record',
  message: r.refusal?.message ?? 'refused',
  problems: r.problems,
});

function refusalText(operation: Operation, refusal: Refusal, force: boolean): string {
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
function firstMove(r: Rehearsal): string[] {
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

/** The body of a run's JSON document: the run as recorded (its measures and summary are in the head). */
function runBody(run: RunState | undefined, error: string | null) {
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

/** The steps of a run as people read its timeline: the plan's, then any undo steps of a rollback. */
function timelineRows(out: Output, state: RunState): string[][] {
  const c = out.color;
  const steps = [...state.plan.steps, ...(state.rollback?.steps ?? [])];
  return steps.map((step) => {
    const start = state.timeline.find((e) => e.kind === 'step-started' && e.stepId === step.id)?.at;
    const end = state.timeline.find((e) => e.kind === 'step-ended' && e.stepId === step.id)?.at;
    return [
      step.name,
      start ? utcClock(start) : '—',
      start && end ? `${((end - start) / 1000).toFixed(1)} s` : start ? c.yellow('unfinished') : '—',
    ];
  });
}

async function operate(
  operation: Operation,
  flags: OperateFlags,
  context: CommandContext,
  command: DocumentCommand = operation,
): Promise<void> {
  const { awsContext } = await import('../aws-context.js');
  const { config, ports, owner } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  const force = flags.force === true;
  const startedAt = new Date().toISOString();
  const runId = `${operation}-${startedAt.replace(/[:.]/g, '-')}`;
  // Names what a failback or rebuild retires (`<id>-retired-<tag>`, the last 12 letters and digits
  // kept): yymmddhhmmss in UTC says when, where the run id's tail would say nothing.
  const runTag = startedAt.replace(/\D/g, '').slice(2, 14);
  // Refused before anything starts: a config that cannot support the operation (a failback
  // recreates databases as deployed) throws the engine's ConfigError, naming each missing field,
  // which the entry point maps to exit code 2. A rebuild's region is known only from the record.
  const stateKey = stateKeys(config.app).control;
  const plan: Plan =
    operation === 'rebuild'
      ? buildPlan(config, operation, { from: (await Runner.read(ports, stateKey))?.value.active ?? 'primary', runTag })
      : buildPlan(config, operation, { runTag });
  const request: StartRequest = {
    runId,
    operation,
    plan,
    maxDataLossSeconds: config.objectives.maxDataLossSeconds,
    force,
    approvalRequired: false,
  };

  // Ctrl-C stops after the calls in flight and frees the lease, so running the command again resumes at once.
  const stop = new AbortController();
  let printed: number | undefined;
  let last: RunState | undefined;
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
      // The last state the store accepted: what is said if the run stops on an error.
      last = state;
      for (const entry of state.timeline.slice(printed ?? 0)) printTimelineEntry(out, stamp(entry.at), entry, state);
      printed = state.timeline.length;
    },
  });

  // The dry run and the real run decide alike: both rehearse the run first (the same decision on
  // the record, the same preconditions, the same state machine, stopped before its first change).
  const [rehearsal, expected] = await Promise.all([runner.rehearse(request), expectations(config, operation)]);
  const carried = rehearsal.decision.kind === 'resume' || rehearsal.decision.kind === 'retry' ? rehearsal.decision.run : undefined;
  const shown = carried?.plan ?? plan;

  out.line(c.bold(`${config.app}: ${planTitle(shown)}`));
  out.line(c.dim(WHAT[operation]));
  printPlan(out, shown, expected);
  if (carried) out.line(c.yellow(`\n${carryOnNotice(carried)}`));
  if (rehearsal.evaluated) {
    out.heading('Preconditions');
    printProblems(out, rehearsal.problems, force);
  }
  const refusal = rehearsal.verdict === 'refuse' ? rehearsedRefusal(rehearsal) : undefined;
  const refusedText = refusal && refusalText(operation, refusal, force);

  if (flags.dryRun) {
    if (flags.json) {
      out.document(
        jsonDocument(
          { command, mode: 'live', outcome: refusal ? 'would-refuse' : 'would-start', measures: null, summary: null },
          {
            dryRun: true,
            operation,
            plan: shown,
            problems: rehearsal.problems,
            expected: expected ?? null,
            resuming: rehearsal.decision.kind === 'resume' ? rehearsal.decision.run.runId : null,
            retrying: rehearsal.decision.kind === 'retry' ? rehearsal.decision.run.runId : null,
            firstMutation: rehearsal.firstMutation,
            refusal: refusedText ?? null,
          },
        ),
      );
    }
    out.line(c.dim('\nDry run: nothing was changed.'));
    if (refusedText) throw new ExitError(refusedText, EXIT.failed);
    out.line(
      `The real run would ${rehearsal.decision.kind === 'start' ? 'start' : `${rehearsal.decision.kind} run ${carried?.runId ?? ''}`}. ${firstMove(rehearsal).join('\n')}`,
    );
    context.exitCode = EXIT.ok;
    return;
  }
  // Refused before anything is stored: by the record (a lease, another run, traffic elsewhere),
  // or a new run's preconditions. A stored run that would now be refused (one interrupted while
  // it evaluated, an approval that expired) is handed to the runner instead, which records its
  // refusal: left unfinished, it would hold every later command and the controller.
  if (refusedText && (rehearsal.decision.kind === 'refuse' || rehearsal.decision.kind === 'start')) {
    if (flags.json)
      out.document(
        jsonDocument(
          { command, mode: 'live', outcome: 'refused', measures: null, summary: null },
          { ...runBody(undefined, refusedText), operation, problems: rehearsal.problems },
        ),
      );
    throw new ExitError(refusedText, EXIT.failed);
  }
  if (force && rehearsal.problems.some((p) => p.kind === 'rpo'))
    out.line(
      c.yellow(
        `\nForced past the RPO guard: up to ${rehearsal.replicaLagSeconds ?? '?'} s of writes not yet replicated to ${shown.toRegion} may be lost.`,
      ),
    );

  if (!flags.yes) {
    const verb =
      rehearsal.decision.kind === 'resume'
        ? `Resume the ${operation} of ${config.app}?`
        : carried
          ? carried.committedAt === undefined
            ? `Finish the rollback of the ${operation} of ${config.app}?`
            : `Retry the ${operation} of ${config.app} from ${carried.failure?.blockId ?? 'the failed step'}?`
          : operation === 'rebuild'
            ? `Rebuild the pilot light of ${config.app} in ${rebuildRegion(shown)}?`
            : `${operation[0]!.toUpperCase()}${operation.slice(1)} ${config.app} from ${shown.fromRegion} to ${shown.toRegion}?`;
    if (!(await confirm(`\n${verb}`, operation))) throw new ExitError('not confirmed: nothing was changed', EXIT.failed);
  }

  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(EXIT.failed);
    stop.abort();
    process.stderr.write(
      `\n${c.yellow('stopping after the calls in flight; the run is kept: run the same command again to resume (Ctrl-C again to quit now)')}\n`,
    );
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  // A carried run's timeline up to now was printed by the run that made it.
  printed = carried?.timeline.length ?? 0;
  out.heading('Run');
  let state: RunState;
  let error: unknown;
  try {
    // Interrupted (or its reader gone) between the prompt and here: nothing is stored yet, so stop before the lease is taken.
    if (stop.signal.aborted) throw new ExitError('interrupted before the run started: nothing was changed', EXIT.failed);
    // The same decision again, under the lease: start, resume or retry, or refuse.
    state = (await runner.start(request)).state;
  } catch (e) {
    if (!last) {
      // Refused before the run began (the record changed since the rehearsal): in the same words.
      const late: Refusal | undefined = isLockHeld(e)
        ? { by: 'lease', message: e.message, problems: [] }
        : isOperationRejected(e)
          ? { by: 'record', message: e.message, problems: [] }
          : undefined;
      if (!late) throw e;
      const text = refusalText(operation, late, force);
      if (flags.json)
        out.document(
          jsonDocument(
            { command, mode: 'live', outcome: 'refused', measures: null, summary: null },
            { ...runBody(undefined, text), operation, problems: [] },
          ),
        );
      throw new ExitError(text, EXIT.failed, { cause: e });
    }
    // The run started and then stopped on an error (a state table write refused, the lease lost):
    // what it changed and where it stands are those of the last state the store accepted.
    error = e;
    state = last;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }

  const m = measureRun(state);
  const summary = summarizeRun(state);
  const errorText = error === undefined ? null : describeError(error);
  const outcome = isTerminal(state.phase) ? state.phase : 'stopped';
  if (flags.json)
    out.document(
      jsonDocument({ command, mode: 'live', outcome, measures: m, summary }, { ...runBody(state, errorText), problems: state.problems }),
    );
  out.heading('Timeline');
  out.table(['step', 'started', 'took'], timelineRows(out, state));
  out.fields([
    ['outcome', outcomeColour(out, state.phase)],
    ['RTO', m.rtoSeconds === null ? '—' : `${m.rtoSeconds} s (objective ${config.objectives.rtoSeconds} s)`],
    ['RPO', m.rpoSeconds === null ? '—' : `${m.rpoSeconds} s (objective ${config.objectives.maxDataLossSeconds} s)`],
    ['run', state.runId],
  ]);
  printRunSummary(out, summary, utcClock);
  if (errorText !== null) {
    throw new ExitError(
      `the ${operation} stopped on an error: ${errorText}. What it changed and the state above are as last recorded (${state.phase}). Next: ${summary.next}`,
      EXIT.failed,
      { cause: error },
    );
  }
  if (state.phase === 'completed') return;
  if (state.phase === 'refused') {
    const message = state.timeline.findLast((e) => e.kind === 'refused')?.message ?? 'refused';
    throw new ExitError(refusalText(operation, { by: 'run', message, problems: state.problems }, force), EXIT.failed);
  }
  if (stop.signal.aborted || !isTerminal(state.phase)) {
    const at = activeSteps(state)[state.stepIndex]?.name ?? 'the start';
    throw new ExitError(
      `stopped at "${at}" with the run kept: run dr ${operation} again to resume from there. Next: ${summary.next}`,
      EXIT.failed,
    );
  }
  const where = state.failure ? ` at ${state.failure.stepId ?? ''}/${state.failure.blockId ?? ''}: ${state.failure.message}` : '';
  throw new ExitError(`${operation} ${state.phase}${where}. Next: ${summary.next}`, EXIT.failed);
}

/**
 * `dr failover`, `dr switchover`, `dr failback`, `dr rebuild`: one command each, through the same
 * runner and state table as the controller Lambda. Each rehearses the run first
 * (`Runner.rehearse`: the decision the real run makes, its preconditions, stopped before the
 * first change), which is all `--dry-run` does; the real run then decides again under the lease.
 */
export function operationCommand(operation: Operation, context: CommandContext): Command {
  const command = new Command(operation).description(WHAT[operation]);
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--yes', 'go ahead without asking (it still shows the plan)')
    .option('--dry-run', 'rehearse the run: the same checks and refusals as the real one, stopped before its first change; change nothing')
    .option('--force', 'proceed past the RPO guard, accepting the loss of writes the replica has not received')
    .option('--json', 'print one JSON document at the end (progress is not printed)')
    .addHelpText(
      'after',
      `\nExamples:\n  dr ${operation} --app lamp --region us-east-1 --dry-run\n  dr ${operation} --app lamp --region us-east-1\n  dr ${operation} --config dr.json --yes --json\n\nAn interrupted run (Ctrl-C, a lost terminal) is kept in the state table: run the same command again to resume it.\nA run that failed is retried the same way: from the failed block past its point of no return, or by finishing its rollback before it.\nEvery run ends with what it changed (kept, undone, not undone, left to the controller), the state now, and the one command to run next, also when it stops on an error or a Ctrl-C.\nExit code: 0 completed (or a dry run whose real run would start), 1 refused, failed or stopped (or a dry run whose real run would refuse), 2 bad input.`,
    )
    .action(async (flags: OperateFlags) => operate(operation, flags, context));
}

/**
 * `dr plan <operation>`: the dry run of the operation (the same rehearsal: decision, preconditions, the first change), with the plan and
 * expected durations; changes nothing.
 */
export function planCommand(context: CommandContext): Command {
  const command = new Command('plan')
    .argument('<operation>', OPERATIONS.join(', '))
    .description(
      'Evaluate the preconditions of an operation and print its plan: steps, parallel blocks, expected duration of each and the expected RTO.',
    );
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      '\nExamples:\n  dr plan failover --app lamp --region us-east-1\n  dr plan failback --config dr.json --json\n  dr plan rebuild --app lamp --region us-east-1\n\nA rebuild has no expected durations: no drill times it on its own.',
    )
    .action(async (operation: string, flags: AwsFlags & { json?: boolean }) => {
      if (!(OPERATIONS as readonly string[]).includes(operation)) {
        throw new UsageError(`operation must be one of ${OPERATIONS.join(', ')}; got ${JSON.stringify(operation)}`);
      }
      await operate(operation as Operation, { ...flags, dryRun: true }, context, 'plan');
    });
}
