import type * as s3 from 'aws-cdk-lib/aws-s3';

/** What decides the shape of a two-way replication rule. */
export interface ReplicationRuleInput {
  /** The partner (destination) bucket's ARN. */
  readonly destinationBucketArn: string;
  /** S3 Replication Time Control with its metrics. */
  readonly replicationTimeControl: boolean;
}

/**
 * The one replication rule of a {@link ReplicatedBucket}, in CloudFormation's shape. Both ways of
 * applying it (inline on the bucket, or later through `BucketReplication`) start from here, so
 * they cannot drift apart.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-two-way.html
 */
export function replicationRule(input: ReplicationRuleInput): s3.CfnBucket.ReplicationRuleProperty {
  const rtc = input.replicationTimeControl;
  return {
    id: 'to-partner',
    status: 'Enabled',
    priority: 1,
    filter: { prefix: '' },
    deleteMarkerReplication: { status: 'Enabled' },
    // Two-way replication: changes made to replicas (tags, ACLs) flow back too.
    sourceSelectionCriteria: { replicaModifications: { status: 'Enabled' } },
    destination: {
      bucket: input.destinationBucketArn,
      replicationTime: rtc ? { status: 'Enabled', time: { minutes: 15 } } : undefined,
      metrics: rtc ? { status: 'Enabled', eventThreshold: { minutes: 15 } } : undefined,
    },
  };
}

/**
 * The same configuration in the S3 API's shape (`PutBucketReplication`): CloudFormation's
 * property names with a capital first letter, except that the rule's `Id` is `ID` there.
 * Undefined fields are dropped.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
 */
export function toS3ApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toS3ApiShape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const name = key === 'id' ? 'ID' : key.charAt(0).toUpperCase() + key.slice(1);
    out[name] = toS3ApiShape(v);
  }
  return out;
}
