import { buildPlan, type DrConfig } from '@dr/failover-core';
import {
  DEFAULT_SEQUENCE,
  runLifecycle,
  scenarioOperation,
  sequenceIssues,
  SCENARIO_DESCRIPTIONS,
  type LifecycleOperation,
  type LifecycleReport,
  type LifecycleStep,
  type Scenario,
} from '@dr/failover-core/drill';
import { loadConfig, tierNote } from '../config-source.js';
import { parseScenario, parseSeed, type DrillFlags } from '../drill-options.js';
import { EXIT, UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { jsonDocument } from '../json-document.js';
import { Output } from '../output.js';
import { drillProgressPrinter, invariantRows, outcomeColour, planTitle, RETURN_EXPOSURE_MEANING, tenths } from '../progress.js';
import { printRetired } from '../retired.js';

/**
 * Parses `--sequence`: comma-separated operations that must each be able to follow the one
 * before (traffic on the primary for a failover or switchover, on the secondary for a failback).
 * @throws {@link UsageError} naming every operation that is unknown or cannot run where it is.
 */
export function parseSequence(text: string | undefined): readonly LifecycleOperation[] {
  if (text === undefined) return DEFAULT_SEQUENCE;
  // Empty entries are kept so that "failover,,failback" is named, not silently mended.
  const operations = text.split(',').map((s) => s.trim());
  const issues = sequenceIssues(operations);
  if (issues.length > 0)
    throw new UsageError(`--sequence ${JSON.stringify(text)} cannot run:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  return operations as LifecycleOperation[];
}

/**
 * What a lifecycle needs of the config, checked before anything runs: each operation of the
 * sequence must be able to build its plan (a failback recreates databases as deployed and
 * names every field it lacks), so a config that cannot support the life is bad input.
 * @throws the engine's `ConfigError`, which the entry point maps to exit code 2.
 */
function checkConfig(config: DrConfig, sequence: readonly LifecycleOperation[]): void {
  for (const operation of new Set(sequence)) buildPlan(config, operation);
}

const clock = (seconds: number): string => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
/** A lifecycle lasts simulated hours: hours, minutes and seconds read better than a count of seconds. */
const stamp = (seconds: number): string => `[+${clock(seconds).padStart(8)}]`;

/** Why a step did not complete, and the one command its run said to run next. */
function reasonAndNext(out: Output, step: LifecycleStep): string {
  if (step.outcome === 'completed') return '';
  return [step.reason, step.next ? out.color.bold(`next: ${step.next}`) : undefined].filter(Boolean).join('\n');
}

function printLifecycleSummary(out: Output, r: LifecycleReport, config: DrConfig): void {
  const c = out.color;
  out.heading('Operations');
  out.table(
    ['#', 'operation', 'trigger', 'outcome', 'RTO', 'RPO', 'reason / next'],
    r.operations.map((op, i) => [
      String(i + 1),
      `${op.operation}${op.scenario ? c.dim(`\n${op.scenario}`) : ''}`,
      op.trigger ?? '—',
      outcomeColour(out, op.outcome),
      tenths(op.rtoSeconds),
      tenths(op.rpoSeconds),
      reasonAndNext(out, op),
    ]),
  );

  out.heading('Invariants over the whole life, measured on the simulated world');
  const rows = invariantRows(r.invariants);
  const width = Math.max(...rows.map((row) => row.label.length), 'return exposure'.length);
  for (const row of rows) out.line(`  ${row.label.padEnd(width)}  ${row.held ? c.green(`✓ ${row.value}`) : c.red(`✗ ${row.value}`)}`);
  out.line(`  ${'return exposure'.padEnd(width)}  ${r.returnExposureSeconds} s  ${c.dim(RETURN_EXPOSURE_MEANING)}`);

  out.heading(`Pilot light restored: ${r.pilotLightRestored ? c.green('yes') : c.red('no')}`);
  if (r.pilotLightRestored)
    out.line(
      c.dim(
        config.database.tier === 'aurora-global'
          ? '  the DR cluster is a connected secondary of the global database with no fence left, DR capacity is 0, and the endpoints are weighted as deployed'
          : '  the DR replica replicates with its fence lifted, DR capacity is 0, and the endpoints are weighted as deployed',
      ),
    );
  for (const problem of r.pilotLight.problems) out.line(`  ${c.red('✗')} ${problem}`);

  printRetired(out, r.retiredInstances, { howToDelete: false });

  out.line();
  const ran = r.operations.filter((o) => o.outcome !== 'skipped').length;
  out.fields([
    ['outcome', r.outcome === 'completed' ? c.green('completed') : c.red(r.outcome)],
    [
      'simulated',
      `${ran} runs over ${clock(r.durationSeconds)} (h:mm:ss); the controller was invoked ${r.controller.invocations} times${r.controller.crashes ? `, crashed ${r.controller.crashes} times and resumed` : ''}`,
    ],
  ]);
}

/**
 * `dr drill --operation lifecycle`: operations one after another on one simulated world (the
 * engine's `runLifecycle`), each reported with its measures, the invariants audited over the
 * whole life, and whether the pilot light is back as deployed at the end. Exit 0 when the
 * lifecycle completed with every invariant held, 1 otherwise, 2 on bad input (checked before
 * anything runs).
 */
export async function runLifecycleDrill(flags: DrillFlags, context: CommandContext): Promise<void> {
  // A chart of one run's blocks does not fit a life of several runs; the JSON document has it all.
  if (flags.report !== undefined)
    throw new UsageError(
      '--report charts the timeline of one run; a lifecycle has many: use --json for the whole life, or drill one operation with --report',
    );
  if (flags.force)
    throw new UsageError(
      '--force takes one drilled operation past the RPO guard; a lifecycle has no operator to force it: drill one operation with --force',
    );
  const sequence = parseSequence(flags.sequence);
  const scenario: Scenario = parseScenario(flags.scenario, 'lifecycle');
  const about = scenarioOperation(scenario);
  if (about !== undefined && !sequence.includes(about as LifecycleOperation)) {
    throw new UsageError(`--scenario ${scenario} applies to the first ${about}, and the sequence ${sequence.join(',')} has none`);
  }
  const seed = parseSeed(flags.seed);
  const config = await loadConfig(flags.config, flags.tier);
  checkConfig(config, sequence);

  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  out.line(
    c.bold(
      `Lifecycle drill of ${config.app}${tierNote(config)} on the simulator: ${sequence.join(' → ')} — scenario ${scenario}, seed ${seed}`,
    ),
  );
  out.line(c.dim(`${SCENARIO_DESCRIPTIONS[scenario]}${about ? ` (the first ${about})` : ''}`));
  const print = flags.json
    ? undefined
    : drillProgressPrinter(out, {
        stamp,
        onNewRun: (state) => {
          out.heading(`── ${planTitle(state.plan)}: run ${state.runId}, started by the ${state.trigger} ──`);
        },
      });
  const report = await runLifecycle({ config, sequence, scenario, seed, onProgress: print });
  // Several runs: each operation carries its own measures and its own `next`; the head has neither.
  if (flags.json)
    out.document(
      jsonDocument(
        { command: 'drill', mode: 'simulated', dataTier: config.database.tier, outcome: report.outcome, measures: null, summary: null },
        report,
      ),
    );
  else printLifecycleSummary(out, report, config);
  context.exitCode = report.outcome === 'completed' ? EXIT.ok : EXIT.failed;
}
