import type { Operation } from '@dr/failover-core';
import { SCENARIOS, SCENARIO_DESCRIPTIONS, defaultScenario, isScenario, runDrill, type DrillProgress, type DrillReport, type Scenario } from '@dr/failover-core/drill';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig } from '../config-source.js';
import { EXIT, UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';
import { printPlan, printTimelineEntry } from '../progress.js';
import { DrillRecorder, renderDrillReport } from '../report-html.js';

const OPERATIONS: readonly Operation[] = ['failover', 'switchover', 'failback'];

/** Options of `dr drill`, as parsed. */
interface DrillFlags {
  readonly scenario?: string;
  readonly operation: string;
  readonly seed: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly report?: string;
  readonly live?: boolean;
  readonly app?: string;
  readonly region?: string;
  readonly endpointUrl?: readonly string[];
  readonly url?: string;
  readonly timeout?: string;
  readonly yes?: boolean;
}

function parseSeed(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) {
    throw new UsageError(`--seed must be a whole number from 0 to ${0xffffffff}; got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseOperation(text: string): Operation {
  if (!(OPERATIONS as readonly string[]).includes(text)) {
    throw new UsageError(`--operation must be one of ${OPERATIONS.join(', ')}; got ${JSON.stringify(text)}`);
  }
  return text as Operation;
}

function parseScenario(text: string | undefined, operation: Operation): Scenario {
  if (text === undefined) return defaultScenario(operation);
  if (!isScenario(text)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}; got ${JSON.stringify(text)}`);
  return text;
}

const fmt = (seconds: number | null): string => (seconds === null ? '—' : `${seconds.toFixed(1)} s`);
const stamp = (seconds: number): string => `[${seconds.toFixed(1).padStart(7)}s]`;

/** Streams progress lines; returns the printer for `runDrill`'s `onProgress`. */
function progressPrinter(out: Output): (p: DrillProgress) => void {
  return (p) => {
    const c = out.color;
    switch (p.kind) {
      case 'plan':
        printPlan(out, p.plan);
        return out.heading('Run');
      case 'verdict': {
        const readings = Object.entries(p.readings).map(([k, v]) => `${k} ${v}`).join(', ');
        const colour = p.verdict === 'down' ? c.red : p.verdict === 'suspect' ? c.yellow : c.green;
        return out.line(`${stamp(p.seconds)} detector ${colour(p.verdict)}  ${c.dim(readings)}`);
      }
      case 'controller':
        return out.line(`${stamp(p.seconds)} ${c.yellow(p.message)}`);
      case 'fault':
        return out.line(`${stamp(p.seconds)} ${c.red(`fault: ${SCENARIO_DESCRIPTIONS[p.scenario]}`)}`);
      case 'timeline':
        return printTimelineEntry(out, stamp(p.seconds), p.entry, p.state);
    }
  };
}

function printSummary(out: Output, r: DrillReport): void {
  const c = out.color;
  const verdict = (ok: boolean) => (ok ? c.green('met') : c.red('missed'));
  out.heading('Summary');
  const outcomeColour = r.outcome === 'completed' || r.outcome === 'not-triggered' ? c.green : c.red;
  const rows: [string, string][] = [
    ['outcome', outcomeColour(r.outcome)],
    ['time to detect', fmt(r.detectSeconds)],
    ['RTO', `${fmt(r.rtoSeconds)}  (objective ${r.objectives.rtoSeconds} s${r.rtoSeconds === null ? '' : `, ${verdict(r.rtoSeconds <= r.objectives.rtoSeconds)}`})`],
    ['RPO', `${fmt(r.rpoSeconds)}  (objective ${r.objectives.maxDataLossSeconds} s${r.rpoSeconds === null ? '' : `, ${verdict(r.rpoSeconds <= r.objectives.maxDataLossSeconds)}`})${r.rpoRisked ? c.yellow('  forced past the RPO guard: this window of writes is at risk') : ''}`],
  ];
  if (r.bucketRpoSeconds !== null) rows.push(['bucket RPO', `${fmt(r.bucketRpoSeconds)}  (S3 replication lag when the region failed)`]);
  if (r.durationSeconds !== null && r.durationSeconds !== r.rtoSeconds) rows.push(['run duration', fmt(r.durationSeconds)]);
  if (r.criticalPath.length > 0) {
    const path = [...(r.detectSeconds === null ? [] : [`detect ${r.detectSeconds.toFixed(1)} s`]), ...r.criticalPath.map((s) => `${s.blockId} ${s.seconds.toFixed(1)} s`)];
    rows.push(['critical path', path.join(c.dim(' → '))]);
  }
  const actions = Object.entries(r.actions).sort(([a], [b]) => a.localeCompare(b));
  rows.push(['AWS actions', actions.length ? actions.map(([k, v]) => `${k} ${v}`).join(', ') : 'none']);
  const failed = Object.entries(r.failedCalls).sort(([a], [b]) => a.localeCompare(b));
  if (failed.length) rows.push(['failed calls', c.dim(failed.map(([k, v]) => `${k} ${v}`).join(', '))]);
  if (r.controller.crashes > 0) rows.push(['controller', `${r.controller.crashes} crash, resumed from the stored state`]);
  if (r.reason) rows.push(['reason', r.failure ? `${r.reason} (step ${r.failure.stepId}, block ${r.failure.blockId})` : r.reason]);
  rows.push(['objectives', r.objectives.met ? c.green('met') : c.red('not met')]);
  out.fields(rows);
}

/** `dr drill`: a failover, switchover or failback drill on the built-in simulator. */
export function drillCommand(context: CommandContext): Command {
  return new Command('drill')
    .description('Run a drill on the built-in two-region simulator (no AWS needed) and report time to detect, RTO and RPO.')
    .addOption(new Option('--scenario <name>', `fault to inject: ${SCENARIOS.join(', ')} (default: region-outage for failover, none otherwise)`))
    .addOption(new Option('--operation <op>', `operation to drill: ${OPERATIONS.join(', ')}`).default('failover'))
    .option('--seed <n>', 'seed of the simulation; the same seed gives the same drill', '1')
    .option('--config <file>', 'DR config JSON file (default: the reference topology of the brief)')
    .option('--force', 'proceed past the RPO guard and report the window of writes risked')
    .option('--json', 'print one JSON object and nothing else')
    .option('--report <file.html>', 'also write the timeline as a chart: one HTML file that opens in a browser with no network')
    .option('--live', 'a game day on a deployed, non-production stack: scale the primary to zero, watch the controller fail over, measure as a client, restore')
    .option('--url <url>', 'with --live: the address users reach (the accelerator\'s), such as http://a1b2c3.awsglobalaccelerator.com/ref')
    .option('--timeout <seconds>', 'with --live: how long to wait for the failover (default 1800)')
    .option('--yes', 'with --live: go ahead without asking')
    .addOption(new Option('--app <name>', 'with --live: application whose DR config is read from SSM'))
    .addOption(new Option('--region <region>', 'with --live: region to read the config from'))
    .addOption(new Option('--endpoint-url <service=url>', 'with --live: endpoint for one service; repeatable').argParser((value: string, previous: string[] = []) => [...previous, value]))
    .addHelpText('after', `\nExamples:\n  dr drill\n  dr drill --scenario flapping-probe --seed 7\n  dr drill --operation failback --json\n  dr drill --scenario alb-5xx --report drill.html\n  dr drill --live --app lamp --region us-east-1 --url http://a1b2c3.awsglobalaccelerator.com/ref\n\nScenarios:\n${SCENARIOS.map((s) => `  ${s.padEnd(18)} ${SCENARIO_DESCRIPTIONS[s]}`).join('\n')}\n\nExit code: 0 when the drill completed (or rightly did not trigger) within its objectives; 1 when it failed, was refused or missed an objective; 2 on bad input.`)
    .action(async (flags: DrillFlags) => {
      if (flags.live) {
        const { runLiveDrill } = await import('./drill-live.js');
        return runLiveDrill(flags, context);
      }
      const operation = parseOperation(flags.operation);
      const scenario = parseScenario(flags.scenario, operation);
      const seed = parseSeed(flags.seed);
      const config = await loadConfig(flags.config);
      const out = new Output(process.stdout, process.stderr, flags.json === true);
      out.line(out.color.bold(`Drill: ${operation} of ${config.app} on the simulator — scenario ${scenario}, seed ${seed}`));
      out.line(out.color.dim(SCENARIO_DESCRIPTIONS[scenario]));
      const recorder = new DrillRecorder();
      const print = flags.json ? undefined : progressPrinter(out);
      const report = await runDrill({
        config,
        operation,
        scenario,
        seed,
        force: flags.force === true,
        onProgress: (p) => {
          print?.(p);
          recorder.record(p);
        },
      });
      if (flags.report !== undefined) {
        try {
          await writeFile(flags.report, renderDrillReport(report, recorder));
        } catch (e) {
          throw new UsageError(`cannot write the report to ${flags.report}: ${(e as Error).message}`, { cause: e });
        }
      }
      if (flags.json) out.document(report);
      else printSummary(out, report);
      if (flags.report !== undefined && !flags.json) out.line(out.color.dim(`\nTimeline chart written to ${flags.report}`));
      const good = (report.outcome === 'completed' || report.outcome === 'not-triggered') && report.objectives.met;
      context.exitCode = good ? EXIT.ok : EXIT.failed;
    });
}
