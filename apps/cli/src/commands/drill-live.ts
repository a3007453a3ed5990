import { asgRef, measureRun, Runner, stateKeys, isTerminal, summarizeRun, type RunState } from '@dr/failover-core';
import type { CapacitySetting } from '@dr/failover-core/ports';
import type { AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
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
  const timeoutSeconds = flags.timeout === undefined ? 1800 : Number(flags.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30 || timeoutSeconds > 7200)
    throw new UsageError(`--timeout must be whole seconds from 30 to 7200; got ${JSON.stringify(flags.timeout)}`);
  const { awsContext } = await import('../aws-context.js');
  const { config, ports } = await awsContext(flags);
  const out = new Output(process.stdout, process.stderr, flags.json === true);
  const c = out.color;
  const key = stateKeys(config.app).control;
  const before = (await Runner.read(ports, key))?.value;
  if ((before?.active ?? 'primary') !== 'primary')
    throw new ExitError(`${config.secondary.region} serves ${config.app} already: fail back before a drill`, EXIT.failed);
  if (before?.run && !isTerminal(before.run.phase))
    throw new ExitError(`run ${before.run.runId} (${before.run.operation}) is unfinished: finish it before a drill`, EXIT.failed);
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
  const onInterrupt = () => {
    stop.abort();
    process.stderr.write(`\n${c.yellow('stopping the drill: restoring capacity first')}\n`);
  };
  process.on('SIGINT', onInterrupt);
  const faultAt = Date.now();
  const since = (t: number) => Math.round((t - faultAt) / 100) / 10;
  let clientDownAt: number | undefined;
  let clientUpAt: number | undefined;
  let run: RunState | undefined;
  let restored = false;
  try {
    await ports.compute.setCapacity(group, { min: 0, desired: 0, max: saved.max });
    out.line(`${c.dim('[   0.0s]')} ${c.red(`fault injected: ${group.autoScalingGroupName} scaled to 0`)}`);
    let printed = 0;
    let lastClient: boolean | undefined;
    while (!stop.signal.aborted && Date.now() - faultAt < timeoutSeconds * 1000) {
      const [probe, record] = await Promise.all([ports.probe.check({ url: flags.url, timeoutMs: 4_000 }), Runner.read(ports, key)]);
      const now = Date.now();
      if (probe.ok !== lastClient) {
        out.line(
          `${c.dim(`[${since(now).toFixed(1).padStart(6)}s]`)} client ${probe.ok ? c.green('served') : c.red(`not served (${probe.status ?? probe.error ?? 'no answer'})`)}`,
        );
        lastClient = probe.ok;
      }
      if (!probe.ok) clientDownAt ??= now;
      if (probe.ok && clientDownAt !== undefined) clientUpAt ??= now;
      const current = record?.value.run;
      if (current && current.triggeredAt >= faultAt - 60_000 && current.runId !== before?.run?.runId) {
        run = current;
        for (const entry of current.timeline.slice(printed))
          printTimelineEntry(out, c.dim(`[${since(entry.at).toFixed(1).padStart(6)}s]`), entry, current);
        printed = current.timeline.length;
      }
      const finished = run !== undefined && isTerminal(run.phase);
      if (finished && (run?.phase !== 'completed' || clientUpAt !== undefined)) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    try {
      await ports.compute.setCapacity(group, saved);
      restored = true;
      out.line(`restored ${group.autoScalingGroupName} to min ${saved.min} / desired ${saved.desired} / max ${saved.max}`);
    } catch (e) {
      out.error(
        `could not restore ${group.autoScalingGroupName}: ${(e as Error).message}; set it back to min ${saved.min} / desired ${saved.desired} / max ${saved.max} by hand`,
      );
    }
  }

  const m = run ? measureRun(run) : undefined;
  const recovered = run?.phase === 'completed' && clientUpAt !== undefined;
  const result: LiveDrillResult = {
    app: config.app,
    fault: 'scale-to-zero',
    url: flags.url,
    faultAt: new Date(faultAt).toISOString(),
    clientDownAfterSeconds: clientDownAt === undefined ? null : since(clientDownAt),
    clientRtoSeconds: clientUpAt === undefined ? null : since(clientUpAt),
    runId: run?.runId ?? null,
    phase: run?.phase ?? null,
    rtoSeconds: m?.rtoSeconds ?? null,
    rpoSeconds: m?.rpoSeconds ?? null,
    restored,
    outcome: recovered ? 'recovered' : 'not-recovered',
  };
  if (flags.json)
    out.document(
      jsonDocument(
        {
          command: 'drill',
          mode: 'live',
          outcome: result.outcome,
          measures: measuresOf({ ...m, rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds }),
          summary: run ? summarizeRun(run) : null,
        },
        result,
      ),
    );
  out.heading('Live drill');
  out.fields([
    ['outcome', recovered ? c.green('recovered') : c.red('not recovered')],
    [
      'client',
      result.clientRtoSeconds === null
        ? 'never served again in the time allowed'
        : `not served from ${result.clientDownAfterSeconds} s to ${result.clientRtoSeconds} s after the fault`,
    ],
    ['RTO (client)', result.clientRtoSeconds === null ? '—' : `${result.clientRtoSeconds} s (objective ${config.objectives.rtoSeconds} s)`],
    ['RTO (run)', result.rtoSeconds === null ? '—' : `${result.rtoSeconds} s`],
    ['RPO', result.rpoSeconds === null ? '—' : `${result.rpoSeconds} s (objective ${config.objectives.maxDataLossSeconds} s)`],
    ['failover', run ? `${run.runId}: ${run.phase}` : 'none started'],
    ['next', recovered ? `${config.secondary.region} serves now: run dr failback when ready` : 'see dr status'],
  ]);
  context.exitCode = recovered && restored ? EXIT.ok : EXIT.failed;
}
