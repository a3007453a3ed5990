import {
  asgRef,
  decideDrillStart,
  measureRun,
  Runner,
  stateKeys,
  isTerminal,
  summarizeRun,
  type DrConfig,
  type RunState,
} from '@dr/failover-core';
import type { AsgRef, CapacitySetting, Ports } from '@dr/failover-core/ports';
import type { AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { jsonDocument, measuresOf } from '../json-document.js';
import { Output } from '../output.js';
import { printTimelineEntry } from '../progress.js';

/** Options of `dr drill --live`. */
export interface LiveDrillFlags extends AwsFlags {
  readonly url?: string;
  readonly timeout?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/** How often the client's view and the state table are read. */
const POLL_MS = 5_000;

/** What a live drill measured, as `--json` prints it. */
export interface LiveDrillResult {
  readonly app: string;
  readonly fault: 'scale-to-zero';
  readonly url: string;
  readonly faultAt: string;
  /** Seconds from the fault until the client first failed, and until it was served again. */
  readonly clientDownAfterSeconds: number | null;
  readonly clientRtoSeconds: number | null;
  /** The failover's own measures, from the state table. */
  readonly runId: string | null;
  readonly phase: string | null;
  readonly rtoSeconds: number | null;
  readonly rpoSeconds: number | null;
  readonly restored: boolean;
  readonly outcome: 'recovered' | 'not-recovered';
}

/** The seconds `--timeout` allows, checked. */
function timeoutOf(flags: LiveDrillFlags): number {
  const timeoutSeconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30 || timeoutSeconds > 7200)
    throw new UsageError(`--timeout must be whole seconds from 30 to 7200; got ${JSON.stringify(flags.timeout)}`);
  return timeoutSeconds;
}

/** What a live drill watches with: the stack, where to print, the state key, and the run stored before the fault. */
interface LiveDrill {
  readonly config: DrConfig;
  readonly ports: Ports;
  readonly out: Output;
  readonly url: string;
  readonly key: string;
  readonly beforeRunId: string | undefined;
  readonly faultAt: number;
  readonly timeoutSeconds: number;
  readonly stop: AbortSignal;
}

/** What the client and the state table showed while the drill watched. */
interface Watched {
  readonly clientDownAt: number | undefined;
  readonly clientUpAt: number | undefined;
  readonly run: RunState | undefined;
}

/** Seconds since the fault, to a tenth. */
const sinceFault = (d: Pick<LiveDrill, 'faultAt'>, t: number): number => Math.round((t - d.faultAt) / 100) / 10;

/**
 * Probes the client and reads the state table every {@link POLL_MS} until the failover the fault
 * caused has ended (and, when it completed, the client is served again), the time allowed is up,
 * or the drill is interrupted; prints each change of the client's view and each timeline entry.
 */
async function watchFailover(d: LiveDrill): Promise<Watched> {
  const c = d.out.color;
  const stamp = (t: number) => c.dim(`[${sinceFault(d, t).toFixed(1).padStart(6)}s]`);
  let clientDownAt: number | undefined;
  let clientUpAt: number | undefined;
  let run: RunState | undefined;
  let printed = 0;
  let lastClient: boolean | undefined;
  while (!d.stop.aborted && Date.now() - d.faultAt < d.timeoutSeconds * 1000) {
    const [probe, record] = await Promise.all([d.ports.probe.check({ url: d.url, timeoutMs: 4_000 }), Runner.read(d.ports, d.key)]);
    const now = Date.now();
    if (probe.ok !== lastClient) {
      d.out.line(
        `${stamp(now)} client ${probe.ok ? c.green('served') : c.red(`not served (${probe.status ?? probe.error ?? 'no answer'})`)}`,
      );
      lastClient = probe.ok;
    }
    if (!probe.ok) clientDownAt ??= now;
    if (probe.ok && clientDownAt !== undefined) clientUpAt ??= now;
    const current = record?.value.run;
    if (current && current.triggeredAt >= d.faultAt - 60_000 && current.runId !== d.beforeRunId) {
      run = current;
      for (const entry of current.timeline.slice(printed)) printTimelineEntry(d.out, stamp(entry.at), entry, current);
      printed = current.timeline.length;
    }
    const finished = run !== undefined && isTerminal(run.phase);
    if (finished && (run?.phase !== 'completed' || clientUpAt !== undefined)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { clientDownAt, clientUpAt, run };
}

/** Puts the group's capacity back as it was; true when AWS took it, else says how to do it by hand. */
async function restoreCapacity(d: LiveDrill, group: AsgRef, saved: CapacitySetting): Promise<boolean> {
  const setting = `min ${saved.min} / desired ${saved.desired} / max ${saved.max}`;
  try {
    await d.ports.compute.setCapacity(group, saved);
    d.out.line(`restored ${group.autoScalingGroupName} to ${setting}`);
    return true;
  } catch (e) {
    d.out.error(`could not restore ${group.autoScalingGroupName}: ${(e as Error).message}; set it back to ${setting} by hand`);
    return false;
  }
}

/** Injects the fault, watches the failover, and restores the capacity whatever happened (an error, Ctrl-C). */
async function faultAndWatch(d: LiveDrill, group: AsgRef, saved: CapacitySetting, stop: AbortController) {
  const c = d.out.color;
  const onInterrupt = () => {
    stop.abort();
    process.stderr.write(`\n${c.yellow('stopping the drill: restoring capacity first')}\n`);
  };
  process.on('SIGINT', onInterrupt);
  let watched: Watched = { clientDownAt: undefined, clientUpAt: undefined, run: undefined };
  let restored = false;
  try {
    await d.ports.compute.setCapacity(group, { min: 0, desired: 0, max: saved.max });
    d.out.line(`${c.dim('[   0.0s]')} ${c.red(`fault injected: ${group.autoScalingGroupName} scaled to 0`)}`);
    watched = await watchFailover(d);
  } finally {
    process.off('SIGINT', onInterrupt);
    restored = await restoreCapacity(d, group, saved);
  }
  return { ...watched, restored };
}

/** The result as `--json` prints it and people read it. */
function report(d: LiveDrill, w: Watched & { readonly restored: boolean }): LiveDrillResult {
  const m = w.run ? measureRun(w.run) : undefined;
  const recovered = w.run?.phase === 'completed' && w.clientUpAt !== undefined;
  const result: LiveDrillResult = {
    app: d.config.app,
    fault: 'scale-to-zero',
    url: d.url,
    faultAt: new Date(d.faultAt).toISOString(),
    clientDownAfterSeconds: w.clientDownAt === undefined ? null : sinceFault(d, w.clientDownAt),
    clientRtoSeconds: w.clientUpAt === undefined ? null : sinceFault(d, w.clientUpAt),
    runId: w.run?.runId ?? null,
    phase: w.run?.phase ?? null,
    rtoSeconds: m?.rtoSeconds ?? null,
    rpoSeconds: m?.rpoSeconds ?? null,
    restored: w.restored,
    outcome: recovered ? 'recovered' : 'not-recovered',
  };
  if (d.out.json)
    d.out.document(
      jsonDocument(
        {
          command: 'drill',
          mode: 'live',
          outcome: result.outcome,
          measures: measuresOf({ ...m, rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds }),
          summary: w.run ? summarizeRun(w.run) : null,
        },
        result,
      ),
    );
  return result;
}

/** The live drill's result for people. */
function printResult(d: LiveDrill, result: LiveDrillResult, run: RunState | undefined): void {
  const c = d.out.color;
  const { objectives } = d.config;
  const recovered = result.outcome === 'recovered';
  d.out.heading('Live drill');
  d.out.fields([
    ['outcome', recovered ? c.green('recovered') : c.red('not recovered')],
    [
      'client',
      result.clientRtoSeconds === null
        ? 'never served again in the time allowed'
        : `not served from ${result.clientDownAfterSeconds} s to ${result.clientRtoSeconds} s after the fault`,
    ],
    ['RTO (client)', result.clientRtoSeconds === null ? '—' : `${result.clientRtoSeconds} s (objective ${objectives.rtoSeconds} s)`],
    ['RTO (run)', result.rtoSeconds === null ? '—' : `${result.rtoSeconds} s`],
    ['RPO', result.rpoSeconds === null ? '—' : `${result.rpoSeconds} s (objective ${objectives.maxDataLossSeconds} s)`],
    ['failover', run ? `${run.runId}: ${run.phase}` : 'none started'],
    ['next', recovered ? `${d.config.secondary.region} serves now: run dr failback when ready` : 'see dr status'],
  ]);
}

/**
 * `dr drill --live`: a game day against a deployed, non-production stack, as the brief's
 * test_failover.sh was. Scales the primary region's Auto Scaling group to zero, watches the
 * controller Lambda detect the outage and fail over, measures the outage as a client sees it
 * through the accelerator's address (and the run's RTO and RPO), then restores the group's
 * capacity, whatever happened, and reports.
 */
export async function runLiveDrill(flags: LiveDrillFlags, context: CommandContext): Promise<void> {
  if (!flags.url || !/^https?:\/\/[^\s]+$/.test(flags.url))
    throw new UsageError('--live needs --url: the address users reach, such as http://a1b2c3.awsglobalaccelerator.com/ref');
  const timeoutSeconds = timeoutOf(flags);
  const { awsContext } = await import('../aws-context.js');
  const { config, ports } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  const key = stateKeys(config.app).control;
  const before = (await Runner.read(ports, key))?.value;
  // The same rule, in the same words, as an operation refused over an unfinished run; and the primary must serve.
  const decision = decideDrillStart(before);
  if (decision.kind === 'refuse') throw new ExitError(decision.error.message, EXIT.failed, { cause: decision.error });
  const group = asgRef(config.primary);
  const capacity = await ports.compute.describe(group);
  const saved: CapacitySetting = { min: capacity.min, desired: capacity.desired, max: capacity.max };

  out.line(
    c.bold(
      `Live drill of ${config.app}: take ${config.primary.region} out of service and watch it fail over to ${config.secondary.region}`,
    ),
  );
  out.line(
    `  fault: scale ${group.autoScalingGroupName} to 0 (now min ${saved.min} / desired ${saved.desired} / max ${saved.max}); restored afterwards`,
  );
  out.line(`  client: ${flags.url}, every ${POLL_MS / 1000} s, for up to ${timeoutSeconds} s`);
  if (
    !flags.yes &&
    !(await confirm(`\nThis takes ${config.app}'s primary region out of service. Only on a stack that is not production.`, config.app))
  ) {
    throw new ExitError('not confirmed: nothing was changed', EXIT.failed);
  }

  const stop = new AbortController();
  const d: LiveDrill = {
    config,
    ports,
    out,
    url: flags.url,
    key,
    beforeRunId: before?.run?.runId,
    faultAt: Date.now(),
    timeoutSeconds,
    stop: stop.signal,
  };
  const watched = await faultAndWatch(d, group, saved, stop);
  const result = report(d, watched);
  printResult(d, result, watched.run);
  context.exitCode = result.outcome === 'recovered' && watched.restored ? EXIT.ok : EXIT.failed;
}
