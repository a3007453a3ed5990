import { SCENARIOS, SCENARIO_DESCRIPTIONS, runDrill, type DrillOperation, type DrillReport } from '@dr/failover-core/drill';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig, tierNote } from '../config-source.js';
import { EXIT, UsageError } from '../errors.js';
import {
  DRILL_CHOICES,
  parseOperation,
  parseOutageSeconds,
  parseScenario,
  parseSeed,
  refuseContradictoryDrillOptions,
  type DrillFlags,
} from '../drill-options.js';
import type { CommandContext } from '../context.js';
import { jsonDocument, measuresOf, reportDate } from '../json-document.js';
import { Output } from '../output.js';
import { drillProgressPrinter, formatInvariants, outcomeColour, RETURN_EXPOSURE_MEANING, tenths } from '../progress.js';
import { DrillRecorder } from '../drill-recorder.js';
import { renderDrillReport } from '../report-html.js';
import { printRunSummary } from '../run-summary.js';
import { runLifecycleDrill } from './drill-lifecycle.js';

const stamp = (seconds: number): string => `[${seconds.toFixed(1).padStart(7)}s]`;

function printSummary(out: Output, r: DrillReport): void {
  const c = out.color;
  const verdict = (ok: boolean) => (ok ? c.green('met') : c.red('missed'));
  out.heading('Summary');
  const rows: [string, string][] = [
    [
      'outcome',
      `${outcomeColour(out, r.outcome)}${r.outcome === 'rolled-back' ? c.dim('  (failed before the point of no return; what it changed is undone)') : ''}`,
    ],
    ['time to detect', tenths(r.detectSeconds)],
    ['promoted', r.promoted ? 'yes: the run went past its point of no return' : 'no'],
    [
      'RTO',
      `${tenths(r.rtoSeconds)}  (objective ${r.objectives.rtoSeconds} s${r.rtoSeconds === null ? '' : `, ${verdict(r.rtoSeconds <= r.objectives.rtoSeconds)}`})`,
    ],
    [
      'RPO',
      `${tenths(r.rpoSeconds)}  (objective ${r.objectives.maxDataLossSeconds} s${r.rpoSeconds === null ? '' : `, ${verdict(r.rpoSeconds <= r.objectives.maxDataLossSeconds)}`})${r.rpoRisked ? c.yellow('  forced past the RPO guard: this window of writes is at risk') : ''}`,
    ],
  ];
  if (r.impairment) {
    const error = r.impairment.estimatedSeconds - r.impairment.actualSeconds;
    rows.push([
      'impairment start',
      `estimated at ${r.impairment.estimatedSeconds.toFixed(1)} s, began at ${r.impairment.actualSeconds.toFixed(1)} s (${error >= 0 ? '+' : ''}${error.toFixed(1)} s)`,
    ]);
  }
  if (r.startedAfterRecovery)
    rows.push(['stale start', c.red('a run started more than one detection interval after the region had recovered')]);
  if (r.bucketRpoSeconds !== null) rows.push(['bucket RPO', `${tenths(r.bucketRpoSeconds)}  (S3 replication lag when the region failed)`]);
  if (r.durationSeconds !== null && r.durationSeconds !== r.rtoSeconds) rows.push(['run duration', tenths(r.durationSeconds)]);
  if (r.criticalPath.length > 0) {
    const path = [
      ...(r.detectSeconds === null ? [] : [`detect ${r.detectSeconds.toFixed(1)} s`]),
      ...r.criticalPath.map((s) => `${s.blockId} ${s.seconds.toFixed(1)} s`),
    ];
    rows.push(['critical path', path.join(c.dim(' → '))]);
  }
  const actions = Object.entries(r.actions).sort(([a], [b]) => a.localeCompare(b));
  rows.push(['AWS actions', actions.length ? actions.map(([k, v]) => `${k} ${v}`).join(', ') : 'none']);
  const failed = Object.entries(r.failedCalls).sort(([a], [b]) => a.localeCompare(b));
  if (failed.length) rows.push(['failed calls', c.dim(failed.map(([k, v]) => `${k} ${v}`).join(', '))]);
  if (r.controller.crashes > 0) rows.push(['controller', `${r.controller.crashes} crash, resumed from the stored state`]);
  if (r.reason) rows.push(['reason', r.failure ? `${r.reason} (step ${r.failure.stepId}, block ${r.failure.blockId})` : r.reason]);
  rows.push(['invariants', formatInvariants(out, r.invariants)]);
  if (r.returnExposureSeconds > 0) rows.push(['return exposure', `${r.returnExposureSeconds} s  ${c.dim(RETURN_EXPOSURE_MEANING)}`]);
  rows.push(['serving', r.activeRegion]);
  rows.push(['objectives', r.objectives.met ? c.green('met') : c.red('not met')]);
  out.fields(rows);
  // A run that did not complete says what it changed, where things stand, and the one command next.
  if (r.summary && (r.outcome === 'failed' || r.outcome === 'rolled-back' || r.outcome === 'refused')) printRunSummary(out, r.summary);
}

/** The options and help of `dr drill`: the simulator's, and those of `--live`. */
function withDrillOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--scenario <name>',
        `fault to inject: ${SCENARIOS.join(', ')} (default: region-outage for failover and lifecycle, none otherwise)`,
      ),
    )
    .addOption(
      new Option(
        '--operation <op>',
        `what to drill: ${DRILL_CHOICES.join(', ')} (default: failover, or the operation the scenario is about)`,
      ),
    )
    .option(
      '--sequence <ops>',
      'with --operation lifecycle: the operations, comma-separated (default failover,failback,failover,failback,switchover,failback)',
    )
    .option('--seed <n>', 'seed of the simulation; the same seed gives the same drill', '1')
    .option(
      '--outage-seconds <n>',
      "end the scenario's fault after n seconds (region-outage, alb-5xx, maintenance-reboot, ...): a blip that recovers by itself (single operations)",
    )
    .option('--config <file>', 'DR config JSON file (default: the reference topology of the brief)')
    .option('--tier <tier>', 'without --config: the reference topology on this data tier, rds-replica (default) or aurora-global')
    .option('--force', 'proceed past the RPO guard and report the window of writes risked (single operations)')
    .option('--json', 'print one JSON object and nothing else')
    .option(
      '--report <file.html>',
      'also write the timeline as a chart: one HTML file that opens in a browser with no network (single operations)',
    )
    .option(
      '--live',
      'a game day on a deployed, non-production stack: scale the primary to zero, watch the controller fail over, measure as a client, restore',
    )
    .option('--url <url>', "with --live: the address users reach (the accelerator's), such as http://a1b2c3.awsglobalaccelerator.com/ref")
    .option('--timeout <seconds>', 'with --live: how long to wait for the failover (default 1800)')
    .option('--yes', 'with --live: go ahead without asking')
    .addOption(new Option('--app <name>', 'with --live: application whose DR config is read from SSM'))
    .addOption(new Option('--region <region>', 'with --live: region to read the config from'))
    .addOption(
      new Option('--endpoint-url <service=url>', 'with --live: endpoint for one service; repeatable').argParser(
        (value: string, previous: string[] = []) => [...previous, value],
      ),
    )
    .addHelpText(
      'after',
      `\nExamples:\n  dr drill\n  dr drill --scenario flapping-probe --seed 7\n  dr drill --operation failback --json\n  dr drill --scenario promotion-failure\n  dr drill --scenario target-fails-mid-switchover\n  dr drill --scenario alb-5xx --report drill.html\n  dr drill --scenario region-outage --outage-seconds 60 --json\n  dr drill --operation lifecycle\n  dr drill --tier aurora-global\n  dr drill --operation lifecycle --sequence switchover,failback --scenario target-fails-mid-switchover --json\n  dr drill --live --app lamp --region us-east-1 --url http://a1b2c3.awsglobalaccelerator.com/ref\n\nScenarios:\n${SCENARIOS.map((s) => `  ${s.padEnd(30)} ${SCENARIO_DESCRIPTIONS[s]}`).join('\n')}\n\nA lifecycle runs the operations one after another on one simulated world; the scenario's fault applies to the first failover (the first switchover for target-fails-mid-switchover), and a run that leaves the DR region without its pilot light is followed by a rebuild.\n\nExit code: 0 when the drill did what it should within its objectives (completed, rightly did not trigger, rightly refused because the primary recovered first, or rightly undid its reversible steps because the primary recovered before the point of no return), or the lifecycle completed with every invariant held and the pilot light restored; 1 when it failed, was rolled back, was refused or missed an objective; 2 on bad input.`,
    );
}

/** One drill on the simulator: its progress as it goes, an optional HTML chart, then its summary or its JSON document. */
async function runSimulatedDrill(flags: DrillFlags, operation: DrillOperation, context: CommandContext): Promise<void> {
  const scenario = parseScenario(flags.scenario, operation);
  const seed = parseSeed(flags.seed);
  const outageSeconds = parseOutageSeconds(flags.outageSeconds, scenario);
  const config = await loadConfig(flags.config, flags.tier);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  out.line(out.color.bold(`Drill: ${operation} of ${config.app}${tierNote(config)} on the simulator — scenario ${scenario}, seed ${seed}`));
  out.line(out.color.dim(SCENARIO_DESCRIPTIONS[scenario]));
  // Read before the drill runs: a malformed SOURCE_DATE_EPOCH is bad input, refused before anything runs.
  const madeAt = reportDate(process.env);
  const recorder = new DrillRecorder();
  const print = flags.json ? undefined : drillProgressPrinter(out, { stamp });
  const report = await runDrill({
    config,
    operation,
    scenario,
    seed,
    outageSeconds,
    force: flags.force === true,
    onProgress: (p) => {
      print?.(p);
      recorder.record(p);
    },
  });
  if (flags.report !== undefined) {
    const meta = {
      mode: 'simulated',
      generatedAt: madeAt,
      configFile: flags.config,
      app: config.app,
      outageSeconds,
      force: flags.force === true,
    } as const;
    try {
      await writeFile(flags.report, renderDrillReport(report, recorder, meta));
    } catch (e) {
      throw new UsageError(`cannot write the report to ${flags.report}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (flags.json)
    out.document(
      jsonDocument(
        {
          command: 'drill',
          mode: 'simulated',
          dataTier: config.database.tier,
          generatedAt: madeAt.toISOString(),
          outcome: report.outcome,
          measures: measuresOf(report),
          summary: report.summary,
        },
        report,
      ),
    );
  else printSummary(out, report);
  if (flags.report !== undefined && !flags.json) out.line(out.color.dim(`\nTimeline chart written to ${flags.report}`));
  // The engine judges whether the drill did what it should: completed within the objectives,
  // rightly held back (no impairment), or rightly refused (the primary recovered first).
  context.exitCode = report.objectives.met ? EXIT.ok : EXIT.failed;
}

/** `dr drill`: a failover, switchover or failback drill, or a lifecycle of them, on the built-in simulator. */
export function drillCommand(context: CommandContext): Command {
  const drill = new Command('drill').description(
    'Run a drill on the built-in two-region simulator (no AWS needed): one operation, or a lifecycle of them on one world, with time to detect, RTO, RPO and the invariants.',
  );
  return withDrillOptions(drill).action(async (flags: DrillFlags, command: Command) => {
    refuseContradictoryDrillOptions(flags, (key) => ![undefined, 'default'].includes(command.getOptionValueSource(key)));
    const operation = parseOperation(flags.operation, flags.scenario);
    if (flags.outageSeconds !== undefined && (flags.live || operation === 'lifecycle'))
      throw new UsageError('--outage-seconds ends the fault of a single drill on the simulator (not a lifecycle or a live drill)');
    if (flags.live) {
      if (operation === 'lifecycle' || flags.sequence !== undefined)
        throw new UsageError('--live drills one failover on a deployed stack; a lifecycle runs only on the simulator (drop --live)');
      const { runLiveDrill } = await import('./drill-live.js');
      return runLiveDrill(flags, context);
    }
    if (operation === 'lifecycle') return runLifecycleDrill(flags, context);
    if (flags.sequence !== undefined)
      throw new UsageError(`--sequence strings operations into a lifecycle: use it with --operation lifecycle (not ${operation})`);
    return runSimulatedDrill(flags, operation, context);
  });
}
