/**
 * `@dr/snapshot`: the snapshot policy of pilot-light DR. Retention planning is pure
 * (`planRetention`); the daily job (`runSnapshotJob`) works through a port that
 * `@dr/aws-adapters` implements on RDS.
 * @packageDocumentation
 */
export {
  planRetention,
  isManaged,
  isoWeekOf,
  DEFAULT_RETENTION,
  MANAGED_BY_TAG,
  MANAGED_BY,
  APP_TAG,
  type RetentionPolicy,
  type RetentionPlan,
  type SnapshotRecord,
  type KeepReason,
} from './retention.js';
export {
  runSnapshotJob,
  listAll,
  snapshotIdFor,
  type SnapshotPort,
  type SnapshotPage,
  type SnapshotJobInput,
  type SnapshotJobResult,
} from './job.js';
