/**
 * The readiness checks the controller evaluates on a schedule: everything a failover would need,
 * each published as one CloudWatch metric (1 passes, 0 fails; no data when it could not be
 * evaluated) in {@link READINESS_NAMESPACE} with the dimension `App`.
 */
export const READINESS_CHECKS = [
  /** The DR replica exists. */
  'replica-exists',
  /** The DR replica replicates (replication running, not broken). */
  'replica-replicating',
  /** The DR replica's lag is within `objectives.maxDataLossSeconds`. */
  'replica-lag',
  /** The DR launch template's image exists in the DR region. */
  'dr-image',
  /** The EC2 quota in the DR region covers the DR capacity. */
  'dr-ec2-quota',
  /** The pilot light's endpoint weight is 0. */
  'pilot-light-weight',
  /** The DR config parameter is the same in both regions. */
  'config-parameter-match',
  /** No write fence is left on the DR database's parameter group. */
  'dr-fence-clear',
  /** The last snapshot is younger than its schedule allows. */
  'snapshot-age',
  /** S3 replication reports no failed operations. */
  's3-replication',
  /** The failover controller finished an invocation recently. */
  'controller-heartbeat',
] as const;

/** One readiness check. */
export type ReadinessCheckId = (typeof READINESS_CHECKS)[number];

export { READINESS_NAMESPACE } from '../names.js';

/** How often the readiness evaluation runs, in minutes. */
export const READINESS_INTERVAL_MINUTES = 5;
