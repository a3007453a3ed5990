import * as v from 'valibot';

/**
 * The DR topology schema. One document describes an application's two regions, the resources
 * the engine touches in each, and the objectives and settings it works to. The constructs write
 * it to SSM Parameter Store in both regions; the Lambdas and the CLI read it from there or a file.
 */

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/;
// RDS: 1-63 letters, digits or hyphens; first a letter; no trailing or double hyphen.
const DB_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;
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

/** The resources of one region that the engine reads and changes. */
export const RegionResourcesSchema = v.strictObject({
  region: matching(REGION, 'an AWS region name such as eu-west-1'),
  autoScalingGroupName: text('the Auto Scaling group name'),
  targetGroupArn: matching(ARN, 'an ELB target group ARN'),
  dbInstanceIdentifier: matching(DB_IDENTIFIER, 'an RDS instance identifier (a letter, then up to 62 letters, digits or single hyphens)'),
  bucketName: matching(BUCKET, 'an S3 bucket name'),
  endpointGroupArn: matching(ARN, 'a Global Accelerator endpoint group ARN'),
  loadBalancerArn: matching(ARN, 'the ALB ARN registered in the endpoint group'),
  healthCheckUrl: v.pipe(v.string('must be an http(s) URL'), v.url('must be an http(s) URL'), v.regex(/^https?:\/\//, 'must be an http(s) URL')),
  availabilityAlarmName: v.optional(text('a CloudWatch alarm name')),
  capacity: CapacitySchema,
  /** The DB parameter group whose `read_only` parameter fences writes (switchover, failback). */
  dbParameterGroupName: v.optional(text('a DB parameter group name')),
  /** KMS key in this region for a read replica created here (failback, rebuilding the pilot light). */
  dbKmsKeyArn: v.optional(matching(ARN, 'a KMS key ARN')),
  /** Subnet group for a read replica created in this region. */
  dbSubnetGroupName: v.optional(text('a DB subnet group name')),
  /** Security groups for a read replica created in this region. */
  dbSecurityGroupIds: v.optional(v.array(matching(/^sg-[0-9a-f]{8,17}$/, 'a security group id such as sg-0123456789abcdef0'))),
});

/** Detector settings; see `@dr/failover-core` detector docs for how they combine. */
export const DetectionSchema = v.strictObject({
  intervalSeconds: v.optional(int(5, 60, 'seconds'), 10),
  failureThreshold: v.optional(int(1, 30, 'rounds'), 3),
  recoveryThreshold: v.optional(int(1, 30, 'rounds'), 2),
  quorum: v.optional(int(1, 3, 'signals'), 2),
  signals: v.optional(
    v.pipe(
      v.array(v.picklist(['probe', 'endpoint-health', 'alarm'], 'must be one of probe, endpoint-health, alarm')),
      v.minLength(1, 'must name at least one signal'),
    ),
    ['probe', 'endpoint-health', 'alarm'],
  ),
  cooldownSeconds: v.optional(int(0, 86_400, 'seconds'), 600),
  probeTimeoutSeconds: v.optional(int(1, 30, 'seconds'), 5),
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
});

/** The whole DR configuration document. */
export const DrConfigSchema = v.strictObject({
  schemaVersion: v.literal(1, 'must be 1'),
  app: matching(/^[a-z][a-z0-9-]{0,62}$/, 'a lower-case name (letters, digits, hyphens) starting with a letter'),
  primary: RegionResourcesSchema,
  secondary: RegionResourcesSchema,
  globalAccelerator: v.strictObject({
    acceleratorArn: matching(ARN, 'a Global Accelerator ARN'),
    listenerArn: matching(ARN, 'a Global Accelerator listener ARN'),
  }),
  healthPath: v.optional(matching(/^\/[^\s]*$/, 'a URL path starting with /'), '/ref'),
  objectives: v.optional(ObjectivesSchema, {}),
  detection: v.optional(DetectionSchema, {}),
  timeouts: v.optional(TimeoutsSchema, {}),
  approval: v.optional(v.strictObject({ required: v.optional(v.boolean('must be true or false'), false) }), {}),
  /** Where the failover controller keeps its state and sends its news (in the secondary region). */
  controller: v.optional(
    v.strictObject({
      stateTableName: v.optional(matching(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
      topicArn: v.optional(matching(ARN, 'an SNS topic ARN')),
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
/** Which side of the configuration a region is. */
export type RegionRole = 'primary' | 'secondary';
