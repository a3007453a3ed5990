import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, nagArn } from './private/nag.js';
import { replicationRule } from './private/replication-rule.js';
import { validateProps, type PropRule } from './private/validate.js';

/**
 * One region's half of a replicated bucket, as {@link BucketReplication} sees it: the bucket, the
 * role S3 replicates with, and the rule to apply.
 */
export interface IReplicatedBucket extends IConstruct {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /** The role S3 assumes to replicate. */
  readonly replicationRole: iam.IRole;
  /** The replication configuration to the partner bucket, in CloudFormation's shape. */
  readonly replicationConfiguration: s3.CfnBucket.ReplicationConfigurationProperty;
  /** True when the rule is not on the bucket and must be applied by a {@link BucketReplication}. */
  readonly replicationDeferred: boolean;
}

/** Props of {@link ReplicatedBucket}. */
export interface ReplicatedBucketProps {
  /**
   * This bucket's name. Names are explicit because each region's bucket replicates to the
   * other's by name, across stacks in different regions.
   */
  readonly bucketName: string;
  /** The other region's bucket, which this one replicates to (it replicates back the same way). */
  readonly partnerBucketName: string;
  /** The partner bucket's region; must differ from this stack's. */
  readonly partnerRegion: string;
  /**
   * S3 Replication Time Control: 99.99 % of objects replicated within 15 minutes, with metrics.
   * @default true
   */
  readonly replicationTimeControl?: boolean;
  /** Noncurrent versions are deleted this long after they become noncurrent (whole days). @default Duration.days(30) */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Noncurrent versions are deleted after this many days.
   * @deprecated use `noncurrentVersionExpiration`.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Current objects move to Standard-IA this long after creation (whole days, at least 30, an S3
   * minimum); `Duration.days(0)` never.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
   * @default Duration.days(30)
   */
  readonly infrequentAccessAfter?: Duration;
  /**
   * Current objects move to Standard-IA after this many days; 0 never.
   * @deprecated use `infrequentAccessAfter`.
   * @default 30
   */
  readonly infrequentAccessAfterDays?: number;
  /** What happens to the bucket when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Leave the replication rule off the bucket: S3 rejects a rule whose destination bucket does
   * not exist yet, so the half deployed first must wait for its partner. The bucket and its
   * replication role are still created here; apply {@link replicationConfiguration} later, from a
   * stack deployed after the partner's, with {@link BucketReplication}.
   * @default false - the rule is part of the bucket (the partner must already exist)
   */
  readonly deferReplication?: boolean;
}

const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * One region's half of a two-way replicated bucket: versioned, encrypted, TLS only, public
 * access blocked, with lifecycle rules, replicating every object and delete marker to the
 * partner bucket with Replication Time Control, and syncing replica modifications so that
 * objects written in the DR region after a failover flow home for the failback.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-two-way.html
 */
export class ReplicatedBucket extends Construct implements IReplicatedBucket {
  /** The bucket. */
  readonly bucket: s3.Bucket;
  /** The role S3 assumes to replicate. */
  readonly replicationRole: iam.Role;
  /** Where the bucket's server access logs go. */
  readonly accessLogs: s3.Bucket;
  /** The replication configuration to the partner bucket, in CloudFormation's shape. */
  readonly replicationConfiguration: s3.CfnBucket.ReplicationConfigurationProperty;
  /** True when the rule is not on the bucket and must be applied by a {@link BucketReplication}. */
  readonly replicationDeferred: boolean;

  constructor(scope: Construct, id: string, props: ReplicatedBucketProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const ia = props.infrequentAccessAfter?.toDays({ integral: false }) ?? props.infrequentAccessAfterDays ?? 30;
    const noncurrent = props.noncurrentVersionExpiration?.toDays({ integral: false }) ?? props.noncurrentVersionExpirationDays ?? 30;
    validateProps(this, [
      {
        failed: !BUCKET_NAME.test(props.bucketName),
        message: `bucketName must be a valid S3 bucket name; got ${JSON.stringify(props.bucketName)}`,
      },
      {
        failed: !BUCKET_NAME.test(props.partnerBucketName),
        message: `partnerBucketName must be a valid S3 bucket name; got ${JSON.stringify(props.partnerBucketName)}`,
      },
      { failed: props.bucketName === props.partnerBucketName, message: 'partnerBucketName must differ from bucketName' },
      {
        failed: !Token.isUnresolved(region) && props.partnerRegion === region,
        message: `partnerRegion must differ from this stack's region ${region}`,
      },
      ...lifecycleRules(props, ia, noncurrent),
    ]);

    // Server access logs of the data bucket, kept 90 days. Logging the log bucket itself would recurse.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire', expiration: Duration.days(90) }],
    });
    acknowledge(
      this.accessLogs,
      ['AwsSolutions-S1'],
      "This bucket receives the data bucket's server access logs; logging it too would recurse.",
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data/',
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'versions-and-uploads',
          noncurrentVersionExpiration: Duration.days(noncurrent),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
          transitions: ia > 0 ? [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(ia) }] : undefined,
        },
      ],
    });

    const partnerArn = `arn:${Stack.of(this).partition}:s3:::${props.partnerBucketName}`;
    this.replicationRole = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `Replicates ${props.bucketName} to ${props.partnerBucketName}`,
    });
    this.replicationRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    this.replicationRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    this.replicationRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [`${partnerArn}/*`],
      }),
    );
    acknowledge(
      this.replicationRole,
      [
        `AwsSolutions-IAM5[Resource::${nagArn(this.bucket)}/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.partnerBucketName}/*]`,
      ],
      'Replication reads every object version of this bucket and writes every object of the partner bucket: object ARNs end in /* by nature, and the actions are listed one by one.',
    );

    this.replicationConfiguration = {
      role: this.replicationRole.roleArn,
      rules: [replicationRule({ destinationBucketArn: partnerArn, replicationTimeControl: props.replicationTimeControl ?? true })],
    };
    this.replicationDeferred = props.deferReplication ?? false;
    if (!this.replicationDeferred) (this.bucket.node.defaultChild as s3.CfnBucket).replicationConfiguration = this.replicationConfiguration;
  }

  /** Lets `grantee` read and write objects. */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantReadWrite(grantee);
    if (grantee instanceof Construct) {
      acknowledge(
        grantee,
        [
          ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`),
          `AwsSolutions-IAM5[Resource::${nagArn(this.bucket)}/*]`,
        ],
        'The app reads and writes any object of its own data bucket: these S3 action families and the /* object ARN are the scope of a read-write grant on one bucket.',
      );
    }
    return grant;
  }
}

/** The checks of the lifecycle props, each naming the prop given (the Duration, or its deprecated number of days). */
function lifecycleRules(props: ReplicatedBucketProps, ia: number, noncurrent: number): PropRule[] {
  const { infrequentAccessAfter: iaDuration, noncurrentVersionExpiration: noncurrentDuration } = props;
  return [
    {
      failed: (ia !== 0 && ia < 30) || !Number.isInteger(ia),
      message: iaDuration
        ? `infrequentAccessAfter must be 0 or at least 30 whole days (an S3 minimum); got ${iaDuration.toHumanString()}`
        : `infrequentAccessAfterDays must be 0 or at least 30 (an S3 minimum); got ${ia}`,
    },
    {
      failed: noncurrent < 1 || !Number.isInteger(noncurrent),
      message: noncurrentDuration
        ? `noncurrentVersionExpiration must be at least one whole day; got ${noncurrentDuration.toHumanString()}`
        : `noncurrentVersionExpirationDays must be at least 1; got ${noncurrent}`,
    },
    {
      failed: iaDuration !== undefined && props.infrequentAccessAfterDays !== undefined,
      message: 'infrequentAccessAfter and infrequentAccessAfterDays must not both be given: the second is the deprecated form of the first',
    },
    {
      failed: noncurrentDuration !== undefined && props.noncurrentVersionExpirationDays !== undefined,
      message:
        'noncurrentVersionExpiration and noncurrentVersionExpirationDays must not both be given: the second is the deprecated form of the first',
    },
  ];
}
