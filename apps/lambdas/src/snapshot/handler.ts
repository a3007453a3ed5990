import { loadConfigFromSsm, RdsSnapshotPort, RdsSnapshots, systemClock } from '@dr/aws-adapters';
import { dbRef } from '@dr/failover-core';
import { DEFAULT_RETENTION, runSnapshotJob, type SnapshotJobResult } from '@dr/snapshot';
import type { Context } from 'aws-lambda';
import { parseScheduledEvent, readSettings } from '../shared/invalid-input.js';
import { createObservability, MetricUnit, observed } from '../shared/observability.js';

const obs = createObservability(process.env.POWERTOOLS_SERVICE_NAME ?? 'dr-snapshot');
const { logger, metrics } = obs;

/**
 * The daily snapshot job, invoked by EventBridge at 02:00 UTC (by default). Snapshots the
 * database serving now (after a failover, the promoted one in the DR region), copies our
 * snapshots to the other region with that region's key, and prunes both regions by the
 * retention policy. A retried invocation takes no second snapshot that day.
 */
export async function handler(event: unknown, context: Context): Promise<SnapshotJobResult> {
  return observed(obs, context, async () => {
    parseScheduledEvent(event);
    const settings = readSettings(
      {
        AWS_REGION: { required: true },
        DR_APP: { required: true },
        DR_CONFIG_PARAMETER: { required: true },
        DR_KEEP_DAILY: { required: false, integer: { min: 1, max: 366 } },
        DR_KEEP_WEEKLY: { required: false, integer: { min: 0, max: 520 } },
        DR_KEEP_MONTHLY: { required: false, integer: { min: 0, max: 120 } },
      },
      process.env,
    );
    const config = await loadConfigFromSsm(settings.DR_APP!, settings.AWS_REGION!, { parameterName: settings.DR_CONFIG_PARAMETER });
    metrics.setDefaultDimensions({ app: config.app });
    if (config.database.tier !== 'rds-replica')
      throw new Error(
        `the snapshot job copies RDS instance snapshots (the rds-replica tier); ${config.app} is on the ${config.database.tier} tier, whose clusters keep continuous backups: remove this schedule`,
      );
    // Leave time to wait for the snapshot, copy and prune before the deadline.
    const waitMs = Math.max(0, context.getRemainingTimeInMillis() - 120_000);

    // After a failover the promoted database in the DR region is the one to snapshot; RDS says which serves.
    const rds = new RdsSnapshots();
    const serving = await rds.serving(dbRef(config.primary), dbRef(config.secondary));
    const [active, standby] =
      serving.region === config.primary.region ? [config.primary, config.secondary] : [config.secondary, config.primary];
    logger.appendKeys({ source: `${active.region}/${active.dbInstanceIdentifier}` });
    const result = await runSnapshotJob(new RdsSnapshotPort(rds), systemClock, {
      app: config.app,
      source: { region: active.region, dbInstanceIdentifier: active.dbInstanceIdentifier },
      copyTo: { region: standby.region, kmsKeyId: standby.dbKmsKeyArn },
      policy: {
        daily: Number(settings.DR_KEEP_DAILY ?? DEFAULT_RETENTION.daily),
        weekly: Number(settings.DR_KEEP_WEEKLY ?? DEFAULT_RETENTION.weekly),
        monthly: Number(settings.DR_KEEP_MONTHLY ?? DEFAULT_RETENTION.monthly),
      },
      waitMs,
    });
    metrics.addMetric('SnapshotCreated', MetricUnit.Count, result.created ? 1 : 0);
    metrics.addMetric('SnapshotsCopied', MetricUnit.Count, result.copied.length);
    metrics.addMetric('SnapshotsPruned', MetricUnit.Count, result.deleted.length);
    metrics.addMetric('CopiesPending', MetricUnit.Count, result.pendingCopies.length);
    logger.info('snapshot job done', { ...result });
    return result;
  });
}
