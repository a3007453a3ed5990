import { dbRef } from '@dr/failover-core';
import { APP_TAG, DEFAULT_RETENTION, MANAGED_BY, MANAGED_BY_TAG, planRetention, type RetentionPolicy } from '@dr/snapshot';
import { Command } from 'commander';
import type { AwsContext } from '../aws-context.js';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { confirm } from '../confirm.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';

interface SnapshotFlags extends AwsFlags {
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly keepDaily?: string;
  readonly keepWeekly?: string;
  readonly keepMonthly?: string;
}

function policyOf(flags: SnapshotFlags): RetentionPolicy {
  const count = (flag: string, text: string | undefined, fallback: number, max: number) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) > max)
      throw new UsageError(`${flag} must be a whole number from 0 to ${max}; got ${JSON.stringify(text)}`);
    return Number(text);
  };
  return {
    daily: count('--keep-daily', flags.keepDaily, DEFAULT_RETENTION.daily, 366),
    weekly: count('--keep-weekly', flags.keepWeekly, DEFAULT_RETENTION.weekly, 520),
    monthly: count('--keep-monthly', flags.keepMonthly, DEFAULT_RETENTION.monthly, 120),
  };
}

/** Every region's snapshots and what the retention policy would do with each. */
async function survey(ctx: AwsContext, policy: RetentionPolicy) {
  const { config, snapshots } = ctx;
  return Promise.all(
    [config.primary, config.secondary].map(async (r) => {
      const all = await snapshots.list(r.region);
      const plan = planRetention(all, policy, config.app);
      return { region: r.region, plan };
    }),
  );
}

const when = (t: number | undefined) => (t === undefined ? '—' : new Date(t).toISOString().slice(0, 16).replace('T', ' '));

async function withContext(flags: SnapshotFlags): Promise<{ ctx: AwsContext; out: Output }> {
  const { awsContext } = await import('../aws-context.js');
  const ctx = await awsContext(flags);
  if (ctx.config.database.tier !== 'rds-replica')
    throw new UsageError(
      `dr snapshot manages RDS instance snapshots, the rds-replica tier's daily job; ${ctx.config.app} is on the ${ctx.config.database.tier} tier, where Aurora keeps continuous backups of each cluster and a failback keeps the snapshot of the old primary's volume (<cluster>-lost-writes-<run>)`,
    );
  return { ctx, out: new Output(process.stdout, process.stderr, flags.json === true) };
}

function common(command: Command): Command {
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--keep-daily <n>', `daily snapshots to keep (default ${DEFAULT_RETENTION.daily})`)
    .option('--keep-weekly <n>', `weekly snapshots to keep (default ${DEFAULT_RETENTION.weekly})`)
    .option('--keep-monthly <n>', `monthly snapshots to keep (default ${DEFAULT_RETENTION.monthly})`)
    .option('--json', 'print one JSON document');
}

/** `dr snapshot list | create | prune`: the daily job's snapshots, by hand. */
export function snapshotCommand(context: CommandContext): Command {
  const snapshot = new Command('snapshot')
    .description('List, take and prune the database snapshots this tool manages, in both regions.')
    .addHelpText(
      'after',
      '\nExamples:\n  dr snapshot list --app lamp --region us-east-1\n  dr snapshot prune --app lamp --region us-east-1 --dry-run',
    );

  snapshot.addCommand(
    common(new Command('list').description('List the snapshots in both regions and what the retention policy keeps.'))
      .addHelpText('after', '\nExample:\n  dr snapshot list --app lamp --region us-east-1')
      .action(async (flags: SnapshotFlags) => {
        const policy = policyOf(flags);
        const { ctx, out } = await withContext(flags);
        const regions = await survey(ctx, policy);
        if (flags.json)
          return out.document({
            policy,
            regions: regions.map(({ region, plan }) => ({ region, keep: plan.keep, delete: plan.delete, foreign: plan.foreign })),
          });
        for (const { region, plan } of regions) {
          out.heading(`${region}: ${plan.keep.length} kept, ${plan.delete.length} due for pruning, ${plan.foreign.length} not ours`);
          const rows = [
            ...plan.keep.map((k) => [
              k.snapshot.id,
              k.snapshot.status,
              when(k.snapshot.createdAt),
              out.color.green(`keep: ${k.reasons.join(', ')}`),
            ]),
            ...plan.delete.map((s) => [s.id, s.status, when(s.createdAt), out.color.yellow('prune')]),
            ...plan.foreign.map((s) => [s.id, s.status, when(s.createdAt), out.color.dim('not ours: never touched')]),
          ];
          if (rows.length) out.table(['snapshot', 'status', 'taken (UTC)', 'policy'], rows);
        }
      }),
  );

  snapshot.addCommand(
    common(
      new Command('create').description(
        "Snapshot the database that serves now (the promoted one after a failover), tagged as this tool's.",
      ),
    )
      .addHelpText(
        'after',
        '\nExample:\n  dr snapshot create --app lamp --region us-east-1\n\nThe daily job copies it to the other region on its next run.',
      )
      .action(async (flags: SnapshotFlags) => {
        const { ctx, out } = await withContext(flags);
        const { config, snapshots } = ctx;
        const serving = await snapshots.serving(dbRef(config.primary), dbRef(config.secondary));
        const id = `${config.app}-manual-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
        await snapshots.create(serving.region, serving.dbInstanceIdentifier, id, {
          [MANAGED_BY_TAG]: MANAGED_BY,
          [APP_TAG]: config.app,
          'dr:source': `${serving.region}/${serving.dbInstanceIdentifier}`,
          'dr:schedule': 'manual',
        });
        if (flags.json) return out.document({ snapshotId: id, region: serving.region, dbInstanceIdentifier: serving.dbInstanceIdentifier });
        out.line(`snapshot ${out.color.bold(id)} of ${serving.dbInstanceIdentifier} in ${serving.region} started`);
      }),
  );

  snapshot.addCommand(
    common(
      new Command('prune').description(
        "Delete the snapshots the retention policy no longer keeps, in both regions (only this tool's, never one in progress).",
      ),
    )
      .option('--dry-run', 'show what would be deleted; delete nothing')
      .option('--yes', 'delete without asking')
      .addHelpText(
        'after',
        '\nExamples:\n  dr snapshot prune --app lamp --region us-east-1 --dry-run\n  dr snapshot prune --app lamp --region us-east-1 --keep-daily 14 --yes',
      )
      .action(async (flags: SnapshotFlags) => {
        const policy = policyOf(flags);
        const { ctx, out } = await withContext(flags);
        const regions = await survey(ctx, policy);
        const doomed = regions.flatMap(({ region, plan }) => plan.delete.map((s) => ({ region, id: s.id, createdAt: s.createdAt })));
        if (!flags.json) {
          out.line(`Policy: keep ${policy.daily} daily, ${policy.weekly} weekly, ${policy.monthly} monthly`);
          for (const d of doomed) out.line(`  ${out.color.yellow('prune')} ${d.region} ${d.id} (${when(d.createdAt)})`);
          if (doomed.length === 0) out.line('  nothing to prune');
        }
        if (flags.dryRun || doomed.length === 0) {
          if (flags.json) out.document({ dryRun: flags.dryRun === true, policy, delete: doomed, deleted: [] });
          return;
        }
        if (!flags.yes && !(await confirm(`Delete ${doomed.length} snapshots?`, 'prune')))
          throw new ExitError('not confirmed: nothing was deleted', EXIT.failed);
        const deleted: typeof doomed = [];
        for (const d of doomed) {
          await ctx.snapshots.delete(d.region, d.id);
          deleted.push(d);
          out.line(`  deleted ${d.region} ${d.id}`);
        }
        if (flags.json) out.document({ dryRun: false, policy, delete: doomed, deleted });
        context.exitCode = EXIT.ok;
      }),
  );
  return snapshot;
}
