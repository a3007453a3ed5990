import * as v from 'valibot';
import { RDS_INSTANCE_IDENTIFIER } from '../names.js';
import { DataTierSchema } from './data-tier.js';

/**
 * The DR topology schema. One document describes an application's two regions, the resources
 * the engine touches in each, and the objectives and settings it works to. The constructs write
 * it to SSM Parameter Store in both regions; the Lambdas and the CLI read it from there or a file.
 */

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/;
// RDS: 1-63 letters, digits or hyphens; first a letter; no trailing or double hyphen.
// Lambda function names (1-64 letters, digits, hyphens, underscores) or unqualified function ARNs.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
const LAMBDA_FUNCTION =
  /^([a-zA-Z0-9_-]{1,64}|arn:aws[a-z-]*:lambda:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:function:[a-zA-Z0-9_-]{1,64})$/;
// S3 general purpose bucket names.
const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const text = (what: string) => v.pipe(v.string(`must be ${what}`), v.nonEmpty(`must be ${what}`));
const matching = (pattern: RegExp, what: string) => v.pipe(v.string(`must be ${what}`), v.regex(pattern, `must be ${what}`));
const int = (min: number, max: number, unit: string) =>
  v.pipe(
    v.number(`must be a whole number of ${unit}`),
    v.integer(`must be a whole number of ${unit}`),
    v.minValue(min, `must be at least ${min} ${unit}`),
    v.maxValue(max, `must be at most ${max} ${unit}`),
  );

/** Capacity of a region's Auto Scaling group while that region serves traffic. */
export const CapacitySchema = v.strictObject({
  min: int(0, 10_000, 'instances'),
  desired: int(1, 10_000, 'instances'),
  max: int(1, 10_000, 'instances'),
});

/**
 * The settings the constructs gave a region's database. A failback recreates databases (the
 * replica in the home region, then the pilot light) with them: RDS gives a new read replica
 * backups off, deletion protection off, no IAM authentication and no log exports unless told.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
 */
export const DbSettingsSchema = v.strictObject({
  instanceClass: v.optional(matching(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'an RDS instance class such as db.t3.small')),
  storageType: v.optional(v.picklist(['gp2', 'gp3', 'io1', 'io2', 'standard'], 'must be one of gp2, gp3, io1, io2, standard')),
  storageEncrypted: v.optional(v.boolean('must be true or false'), true),
  multiAz: v.optional(v.boolean('must be true or false')),
  backupRetentionDays: v.optional(int(1, 35, 'days')),
  deletionProtection: v.optional(v.boolean('must be true or false')),
  iamAuthentication: v.optional(v.boolean('must be true or false')),
  cloudwatchLogsExports: v.optional(v.array(text('a log type such as error or slowquery'))),
  copyTagsToSnapshot: v.optional(v.boolean('must be true or false'), true),
  autoMinorVersionUpgrade: v.optional(v.boolean('must be true or false')),
  tags: v.optional(v.record(v.string(), v.string('must be text')), {}),
});

/** The resources of one region that the engine reads and changes. */
export const RegionResourcesSchema = v.strictObject({
  region: matching(REGION, 'an AWS region name such as eu-west-1'),
  autoScalingGroupName: text('the Auto Scaling group name'),
  targetGroupArn: matching(ARN, 'an ELB target group ARN'),
  dbInstanceIdentifier: matching(
    RDS_INSTANCE_IDENTIFIER,
    'an RDS instance identifier (a letter, then up to 62 letters, digits or single hyphens)',
  ),
  bucketName: matching(BUCKET, 'an S3 bucket name'),
  endpointGroupArn: matching(ARN, 'a Global Accelerator endpoint group ARN'),
  loadBalancerArn: matching(ARN, 'the ALB ARN registered in the endpoint group'),
  healthCheckUrl: v.pipe(
    v.string('must be an http(s) URL'),
    v.url('must be an http(s) URL'),
    v.regex(/^https?:\/\//, 'must be an http(s) URL'),
  ),
  /**
   * The name or ARN of a Lambda function in this region's VPC that makes the `healthCheckUrl`
   * check for callers outside the VPC (the failover controller, the `dr` CLI), because the
   * region's load balancer is internal and its DNS name resolves to private addresses: the
   * constructs' health record reader. Without it the URL is fetched directly.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
   */
  healthCheckVia: v.optional(
    matching(
      LAMBDA_FUNCTION,
      'a Lambda function name (letters, digits, hyphens, underscores; at most 64) or function ARN in this region, such as arn:aws:lambda:us-east-1:123456789012:function:lamp-health-record-reader',
    ),
  ),
  availabilityAlarmName: v.optional(text('a CloudWatch alarm name')),
  /**
   * A Route 53 health check of this region's health path and the failover record pair that
   * answers by it: the controller reads the checkers' verdict through DNS (Route 53's data
   * plane), not through the us-east-1 control plane. See the package README, "Detection".
   */
  route53HealthCheck: v.optional(
    v.strictObject({
      healthCheckId: matching(/^[0-9a-f-]{36}$/, 'a Route 53 health check id (a UUID)'),
      recordName: matching(
        /^(?=.{1,253}\.?$)([a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}\.?$/,
        'a fully qualified DNS name such as lamp-primary.health.dr.internal',
      ),
    }),
  ),
  capacity: CapacitySchema,
  /**
   * The DB parameter group of this region's database, its own (one group per database). Writes
   * are fenced by setting its `read_only` to 1 and the fence is lifted by resetting it to the
   * replica-aware default `{TrueIfReplica}`; every operation needs it.
   */
  dbParameterGroupName: text('a DB parameter group name'),
  /**
   * A DB parameter group with `read_only` = 1 that instances retired in this region are moved to,
   * so that lifting the fence of `dbParameterGroupName` never makes a retired database writable
   * (failback).
   */
  retiredDbParameterGroupName: v.optional(text('a DB parameter group name')),
  /** KMS key in this region for a read replica created here (failback, rebuilding the pilot light). */
  dbKmsKeyArn: v.optional(matching(ARN, 'a KMS key ARN')),
  /** Subnet group for a read replica created in this region. */
  dbSubnetGroupName: v.optional(text('a DB subnet group name')),
  /** Security groups for a read replica created in this region. */
  dbSecurityGroupIds: v.optional(v.array(matching(/^sg-[0-9a-f]{8,17}$/, 'a security group id such as sg-0123456789abcdef0'))),
  /** How the database of this region was deployed, so a failback recreates it faithfully. */
  dbSettings: v.optional(DbSettingsSchema),
  /** The Aurora DB cluster of this region (tier `aurora-global`); `dbInstanceIdentifier` is its instance. */
  dbClusterIdentifier: v.optional(
    matching(RDS_INSTANCE_IDENTIFIER, 'a DB cluster identifier (a letter, then up to 62 letters, digits or single hyphens)'),
  ),
  /** This cluster's own DB cluster parameter group (tier `aurora-global`): writes are fenced with its `read_only`. */
  dbClusterParameterGroupName: v.optional(text('a DB cluster parameter group name')),
});

/** The detector's signals (see the package README, "Detection"). */
export const SIGNAL_NAMES = ['probe', 'route53', 'endpoint-health', 'alarm'] as const;

/** Detector settings; see `@dr/failover-core` detector docs for how they combine. */
export const DetectionSchema = v.strictObject({
  intervalSeconds: v.optional(int(5, 60, 'seconds'), 10),
  failureThreshold: v.optional(int(1, 30, 'rounds'), 2),
  recoveryThreshold: v.optional(int(1, 30, 'rounds'), 2),
  quorum: v.optional(int(1, 4, 'signals'), 2),
  signals: v.optional(
    v.pipe(v.array(v.picklist(SIGNAL_NAMES, `must be one of ${SIGNAL_NAMES.join(', ')}`)), v.minLength(1, 'must name at least one signal')),
    [...SIGNAL_NAMES],
  ),
  cooldownSeconds: v.optional(int(0, 86_400, 'seconds'), 600),
  probeTimeoutSeconds: v.optional(int(1, 30, 'seconds'), 5),
  /**
   * A detector's failover is committed (the replica promoted) only once the impairment has lasted
   * this long, counted from its estimated start, and a fresh look still finds it. Until then the
   * run takes only reversible steps, and undoes them if the primary recovers. An operator's
   * `dr failover` does not wait.
   */
  confirmSeconds: v.optional(int(10, 1_800, 'seconds'), 90),
  /** A reading whose evidence is older than this does not vote. */
  staleAfterSeconds: v.optional(int(10, 600, 'seconds'), 120),
  /**
   * While the primary's database reports maintenance (a reboot, an upgrade), a failing primary
   * is reported and not failed over, unless the impairment outlasts this bound.
   */
  maintenanceSeconds: v.optional(int(60, 7_200, 'seconds'), 900),
});

/** Recovery objectives that a run is measured against. */
export const ObjectivesSchema = v.strictObject({
  rtoSeconds: v.optional(int(60, 86_400, 'seconds'), 900),
  maxDataLossSeconds: v.optional(int(0, 86_400, 'seconds'), 60),
});

/** Per-wait time limits; a wait that runs past its limit fails the run at that block. */
export const TimeoutsSchema = v.strictObject({
  promotionSeconds: v.optional(int(60, 7_200, 'seconds'), 1_200),
  healthySeconds: v.optional(int(60, 7_200, 'seconds'), 900),
  replicaSyncSeconds: v.optional(int(60, 7_200, 'seconds'), 900),
  replicaCreateSeconds: v.optional(int(300, 14_400, 'seconds'), 5_400),
  actionSeconds: v.optional(int(30, 3_600, 'seconds'), 300),
  /**
   * After a planned handover stops new connections to the region being left, how long to let
   * established ones finish before its writes are fenced (Global Accelerator moves new
   * connections only; the ALB's default idle timeout is 60 s).
   */
  drainSeconds: v.optional(int(0, 900, 'seconds'), 60),
  /** How long a best-effort block (containing the old region) is tried before it is left to the controller. */
  containmentSeconds: v.optional(int(10, 600, 'seconds'), 60),
  /**
   * Before the point of no return, a block whose region does not answer for this long fails
   * the run at once (and it is rolled back) rather than waiting out its timeout.
   */
  unreachableSeconds: v.optional(int(10, 1_800, 'seconds'), 60),
  /**
   * Time between two observations of a step in progress (a promotion, a replica catching up).
   * Shorter reacts sooner; longer makes fewer Describe calls, which RDS throttles per account and
   * region (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html, Throttling).
   * Fractions of a second are allowed: the fakes move a resource on by one state per describe, and
   * their tests poll fast.
   */
  pollSeconds: v.optional(
    v.pipe(
      v.number('must be a number of seconds'),
      v.minValue(0.05, 'must be at least 0.05 seconds'),
      v.maxValue(60, 'must be at most 60 seconds'),
    ),
    2,
  ),
});

/** The whole DR configuration document. */
export const DrConfigSchema = v.strictObject({
  schemaVersion: v.literal(1, 'must be 1'),
  app: matching(/^[a-z][a-z0-9-]{0,62}$/, 'a lower-case name (letters, digits, hyphens) starting with a letter'),
  primary: RegionResourcesSchema,
  secondary: RegionResourcesSchema,
  /** Which database carries the data to the DR region. @default `{ tier: 'rds-replica' }` */
  database: v.optional(DataTierSchema, { tier: 'rds-replica' }),
  globalAccelerator: v.strictObject({
    acceleratorArn: matching(ARN, 'a Global Accelerator ARN'),
    listenerArn: matching(ARN, 'a Global Accelerator listener ARN'),
  }),
  healthPath: v.optional(matching(/^\/[^\s]*$/, 'a URL path starting with /'), '/ref'),
  objectives: v.optional(ObjectivesSchema, {}),
  detection: v.optional(DetectionSchema, {}),
  timeouts: v.optional(TimeoutsSchema, {}),
  approval: v.optional(
    v.strictObject({
      required: v.optional(v.boolean('must be true or false'), false),
      /** An approval requested this long ago can no longer be given: the run is refused and a new one must start. */
      expiresAfterSeconds: v.optional(int(60, 86_400, 'seconds'), 1_800),
    }),
    {},
  ),
  /** Where the failover controller keeps its state and sends its news (in the secondary region). */
  controller: v.optional(
    v.strictObject({
      stateTableName: v.optional(matching(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
      topicArn: v.optional(matching(ARN, 'an SNS topic ARN')),
      /**
       * How long the controller holds off an operator's unfinished run (no failover detection,
       * reminders every 15 minutes) before it takes it over: it finishes the run if it is past its
       * point of no return, and rolls it back otherwise.
       */
      operatorHoldSeconds: v.optional(int(60, 86_400, 'seconds'), 1_800),
    }),
    {},
  ),
});

/** A validated DR configuration with every default filled in. */
export type DrConfig = v.InferOutput<typeof DrConfigSchema>;
/** A DR configuration as written by a person: optional sections may be left out. */
export type DrConfigInput = v.InferInput<typeof DrConfigSchema>;
/** The resources of one region. */
export type RegionResources = DrConfig['primary'];
/** A region's active capacity. */
export type Capacity = RegionResources['capacity'];
/** Detector settings with defaults. */
export type DetectionSettings = DrConfig['detection'];
/** One of the detector's independent signals. */
export type SignalName = DetectionSettings['signals'][number];
/** How a region's database was deployed. */
export type DbSettings = v.InferOutput<typeof DbSettingsSchema>;
/** Which side of the configuration a region is. */
export type RegionRole = 'primary' | 'secondary';
