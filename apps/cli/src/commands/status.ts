import { judgeStatusOutcome, type StatusOutcome } from '@dr/failover-core';
import { Command, Option } from 'commander';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import type { CommandContext } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { jsonDocument } from '../json-document.js';
import { Output } from '../output.js';
import { gatherStatus, type Status } from './status-gather.js';
import { printStatus } from './status-print.js';

/**
 * The library's judgement of where the trouble is, under the names this module gave it before it
 * moved to `@dr/failover-core` (its test imports them from here).
 */
export { judgeReach, type ReachAttempt as Attempt } from '@dr/failover-core';

/** The one word a script branches on, and the exit code: 0 only on `healthy` (the library's rule). */
function statusOutcome(s: Status): { outcome: StatusOutcome; exitCode: number } {
  const outcome = judgeStatusOutcome(s.headline, s.readiness.ready);
  return { outcome, exitCode: outcome === 'healthy' ? EXIT.ok : EXIT.failed };
}

interface StatusFlags extends AwsFlags {
  readonly json?: boolean;
  readonly watch?: string | boolean;
}

/** `dr status`: both regions at a glance, and whether a failover would start. */
export function statusCommand(context: CommandContext): Command {
  const command = new Command('status').description(
    'Say what serves users now, as observed, and show both regions at a glance: databases, capacity, traffic, alarms, snapshots, and the readiness of the next failover or failback.',
  );
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document (with --watch, one per line)')
    .addOption(new Option('--watch [seconds]', 'refresh every few seconds until interrupted').preset('10'))
    .addHelpText(
      'after',
      [
        '',
        'Exit codes:',
        '  0  the serving region is observed healthy (database writable, accelerator endpoint healthy and taking traffic,',
        '     healthy targets) and the next operation (failover, or failback after a failover) is ready',
        '  1  anything else: a region does not answer, the serving side is not healthy, DR is not ready, or AWS',
        '     cannot be reached from here (connection refused, DNS, access denied)',
        '  2  bad input (options, config)',
        '',
        'Examples:',
        '  dr status --app lamp --region us-east-1',
        '  dr status --config dr.json --json',
        '  dr status --app lamp --watch 5',
      ].join('\n'),
    )
    .action(async (flags: StatusFlags) => {
      const every = flags.watch === undefined ? undefined : Number(flags.watch);
      if (every !== undefined && (!Number.isInteger(every) || every < 1 || every > 3600))
        throw new UsageError(`--watch must be a whole number of seconds from 1 to 3600; got ${JSON.stringify(flags.watch)}`);
      const { awsContext } = await import('../aws-context.js');
      const ctx = await awsContext(flags);
      for (;;) {
        // Made each round: a terminal resized while watching gets tables of its new width.
        const out = new Output(process.stdout, process.stderr, flags.json === true);
        const status = await gatherStatus(ctx);
        const { outcome, exitCode } = statusOutcome(status);
        if (flags.json) {
          const document = jsonDocument(
            { command: 'status', mode: 'live', outcome, measures: null, summary: status.run?.summary ?? null },
            status,
          );
          process.stdout.write(`${JSON.stringify(document, null, every === undefined ? 2 : 0)}\n`);
        } else {
          if (every !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          printStatus(out, status);
        }
        context.exitCode = exitCode;
        if (every === undefined) return;
        await new Promise((resolve) => setTimeout(resolve, every * 1000));
      }
    });
}
