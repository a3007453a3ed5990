import {
  buildPlan,
  Runner,
  stateKeys,
  type DrConfig,
  type Operation,
  type Plan,
  type Rehearsal,
  type RunState,
  type StartRequest,
} from '@dr/failover-core';
import { expectations, type Expectations } from '@dr/failover-core/drill';
import type { Ports } from '@dr/failover-core/ports';
import { Command } from 'commander';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import type { CommandContext } from '../context.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { jsonDocument, type DocumentCommand } from '../json-document.js';
import { Output } from '../output.js';
import { planTitle, printPlan, printTimelineEntry, utcClock } from '../progress.js';
import { whatOn, carryOnNotice, confirmQuestion, firstMove, printProblems, refusalText, rehearsedRefusal, WHAT } from './operate-words.js';
import { refuse, reportRun, runToEnd, type Invocation, type OperateFlags } from './operate-run.js';

/** Every operation a person runs with `dr <operation>`, in the order `dr --help` lists them. */
const OPERATIONS: readonly Operation[] = ['failover', 'switchover', 'failback', 'rebuild'];

/** What the rehearsal found, and what it means for the real run. */
interface Rehearsed {
  readonly rehearsal: Rehearsal;
  readonly expected: Expectations | undefined;
  /** The stored run the real run would carry on (resume or retry). */
  readonly carried: RunState | undefined;
  /** The plan shown: the carried run's, else the new one. */
  readonly shown: Plan;
  /** The refusal in the operator's words, when the real run would refuse. */
  readonly refusedText: string | undefined;
}

/** The run's id and its tag, both from when it starts. */
function runNames(operation: Operation): { runId: string; runTag: string } {
  const startedAt = new Date().toISOString();
  // Names what a failback or rebuild retires (`<id>-retired-<tag>`, the last 12 letters and digits
  // kept): yymmddhhmmss in UTC says when, where the run id's tail would say nothing.
  return { runId: `${operation}-${startedAt.replace(/[:.]/g, '-')}`, runTag: startedAt.replace(/\D/g, '').slice(2, 14) };
}

/**
 * The invocation's plan, request and runner. Refused before anything starts: a config that cannot
 * support the operation (a failback recreates databases as deployed) throws the engine's
 * ConfigError, naming each missing field, which the entry point maps to exit code 2. A rebuild's
 * region is known only from the record.
 */
async function prepare(operation: Operation, flags: OperateFlags, command: DocumentCommand): Promise<Invocation> {
  const { awsContext } = await import('../aws-context.js');
  const { config, ports, owner } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const force = flags.force === true;
  const { runId, runTag } = runNames(operation);
  const stateKey = stateKeys(config.app).control;
  const plan = await planFor(config, ports, operation, stateKey, runTag);
  const request: StartRequest = {
    runId,
    operation,
    plan,
    maxDataLossSeconds: config.objectives.maxDataLossSeconds,
    force,
    approvalRequired: false,
  };
  const stop = new AbortController();
  const progress: Invocation['progress'] = { printed: undefined, last: undefined };
  const stamp = (at: number) => out.color.dim(`[${utcClock(at)}]`);
  const runner = new Runner({
    ports,
    config,
    owner,
    stateKey,
    signal: stop.signal,
    // The operator who confirmed is the approver of a run that awaits one.
    approve: async () => owner,
    onTransition: (state) => {
      progress.last = state;
      for (const entry of state.timeline.slice(progress.printed ?? 0)) printTimelineEntry(out, stamp(entry.at), entry, state);
      progress.printed = state.timeline.length;
    },
  });
  return { operation, command, flags, force, config, out, request, runner, stop, progress };
}

async function planFor(config: DrConfig, ports: Ports, operation: Operation, stateKey: string, runTag: string): Promise<Plan> {
  if (operation !== 'rebuild') return buildPlan(config, operation, { runTag });
  return buildPlan(config, operation, { from: (await Runner.read(ports, stateKey))?.value.active ?? 'primary', runTag });
}

/**
 * Rehearses the run and shows what it found: the plan with its expected durations, what a stored
 * run carried on means, the preconditions. The dry run and the real run decide alike: both
 * rehearse first (the same decision on the record, the same preconditions, the same state
 * machine, stopped before its first change).
 */
async function rehearse(inv: Invocation): Promise<Rehearsed> {
  const { out, config, operation, force } = inv;
  const c = out.color;
  // The expected durations come from 40 simulated drills: seconds of CPU. A dry run (and dr plan)
  // prints them; the real run does not make an operator in an outage wait for them.
  const [rehearsal, expected] = await Promise.all([
    inv.runner.rehearse(inv.request),
    inv.flags.dryRun ? expectations(config, operation) : Promise.resolve(undefined),
  ]);
  const carried = rehearsal.decision.kind === 'resume' || rehearsal.decision.kind === 'retry' ? rehearsal.decision.run : undefined;
  const shown = carried?.plan ?? inv.request.plan;
  out.line(c.bold(`${config.app}: ${planTitle(shown)}`));
  out.line(c.dim(whatOn(config, operation)));
  printPlan(out, shown, expected);
  if (carried) out.line(c.yellow(`\n${carryOnNotice(carried)}`));
  if (rehearsal.evaluated) {
    out.heading('Preconditions');
    printProblems(out, rehearsal.problems, force);
  }
  const refusal = rehearsal.verdict === 'refuse' ? rehearsedRefusal(rehearsal) : undefined;
  return { rehearsal, expected, carried, shown, refusedText: refusal && refusalText(operation, refusal, force) };
}

/** The end of a dry run: its document, and whether the real run would start (exit 0) or refuse (exit 1). */
function endDryRun(inv: Invocation, r: Rehearsed, context: CommandContext): void {
  const { out, flags, operation } = inv;
  const { rehearsal, refusedText } = r;
  if (flags.json) {
    out.document(
      jsonDocument(
        { command: inv.command, mode: 'live', outcome: refusedText ? 'would-refuse' : 'would-start', measures: null, summary: null },
        {
          dryRun: true,
          operation,
          plan: r.shown,
          problems: rehearsal.problems,
          expected: r.expected ?? null,
          resuming: rehearsal.decision.kind === 'resume' ? rehearsal.decision.run.runId : null,
          retrying: rehearsal.decision.kind === 'retry' ? rehearsal.decision.run.runId : null,
          firstMutation: rehearsal.firstMutation,
          refusal: refusedText ?? null,
        },
      ),
    );
  }
  out.line(out.color.dim('\nDry run: nothing was changed.'));
  if (refusedText) throw new ExitError(refusedText, EXIT.failed);
  out.line(
    `The real run would ${rehearsal.decision.kind === 'start' ? 'start' : `${rehearsal.decision.kind} run ${r.carried?.runId ?? ''}`}. ${firstMove(rehearsal).join('\n')}`,
  );
  context.exitCode = EXIT.ok;
}

async function operate(
  operation: Operation,
  flags: OperateFlags,
  context: CommandContext,
  command: DocumentCommand = operation,
): Promise<void> {
  const inv = await prepare(operation, flags, command);
  const r = await rehearse(inv);
  if (flags.dryRun) return endDryRun(inv, r, context);
  const { rehearsal, refusedText, carried } = r;
  // Refused before anything is stored: by the record (a lease, another run, traffic elsewhere),
  // or a new run's preconditions. A stored run that would now be refused (one interrupted while
  // it evaluated, an approval that expired) is handed to the runner instead, which records its
  // refusal: left unfinished, it would hold every later command and the controller.
  if (refusedText && (rehearsal.decision.kind === 'refuse' || rehearsal.decision.kind === 'start'))
    refuse(inv, refusedText, rehearsal.problems);
  if (inv.force && rehearsal.problems.some((p) => p.kind === 'rpo'))
    inv.out.line(
      inv.out.color.yellow(
        `\nForced past the RPO guard: up to ${rehearsal.replicaLagSeconds ?? '?'} s of writes not yet replicated to ${r.shown.toRegion} may be lost.`,
      ),
    );
  if (!flags.yes && !(await confirm(`\n${confirmQuestion(inv.config.app, operation, rehearsal, carried, r.shown)}`, operation)))
    throw new ExitError('not confirmed: nothing was changed', EXIT.failed);
  const { state, error } = await runToEnd(inv, carried);
  reportRun(inv, state, error);
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
