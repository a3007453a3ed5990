import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './private/nag.js';
import { toS3ApiShape } from './private/replication-rule.js';
import { validateProps } from './private/validate.js';
import type { IReplicatedBucket } from './replicated-bucket.js';

/** Props of {@link BucketReplication}. */
export interface BucketReplicationProps {
  /**
   * The bucket whose replication rule to apply; made with `deferReplication: true`, in a stack of
   * this construct's region.
   */
  readonly bucket: IReplicatedBucket;
}

/**
 * Applies a {@link ReplicatedBucket}'s replication rule after the fact, for the half of a two-way
 * pair deployed before its partner existed (S3 rejects a rule whose destination bucket does not
 * exist). Put it in a stack deployed after the partner's: it calls S3 `PutBucketReplication` on
 * create and update, and `DeleteBucketReplication` on delete, through an `AwsCustomResource` whose
 * role may only put this bucket's replication configuration and pass its replication role.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
 */
export class BucketReplication extends Construct {
  /** The custom resource that applies the rule. */
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const { bucket } = props;
    const here = Stack.of(this).region;
    const there = Stack.of(bucket).region;
    validateProps(this, [
      {
        failed: !bucket.replicationDeferred,
        message:
          'bucket must be made with deferReplication: true; its rule is already on the bucket, and two owners would overwrite each other',
      },
      {
        failed: !Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there,
        message: `bucket must be in this stack's region ${here}; it is in ${there}`,
      },
    ]);

    const bucketName = bucket.bucket.bucketName;
    const call = (action: string, parameters: Record<string, unknown>): cr.AwsSdkCall => ({
      service: 'S3',
      action,
      parameters,
      physicalResourceId: cr.PhysicalResourceId.of(`${props.bucket.node.path}/replication`),
    });
    const put = call('putBucketReplication', {
      Bucket: bucketName,
      ReplicationConfiguration: toS3ApiShape(bucket.replicationConfiguration),
    });
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::BucketReplication',
      onCreate: put,
      onUpdate: put,
      onDelete: call('deleteBucketReplication', { Bucket: bucketName }),
      // The SDK in the Lambda runtime: synthesis and deploys need no network for npm.
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // DeleteBucketReplication is authorized by s3:PutReplicationConfiguration too.
        new iam.PolicyStatement({ actions: ['s3:PutReplicationConfiguration'], resources: [bucket.bucket.bucketArn] }),
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [bucket.replicationRole.roleArn] }),
      ]),
    });

    // AwsCustomResource runs one singleton Lambda per stack, made by aws-cdk-lib; its findings are its own.
    const singleton = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (singleton) {
      acknowledge(
        singleton,
        ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
        'The AwsCustomResource singleton of aws-cdk-lib logs with the AWS-maintained AWSLambdaBasicExecutionRole (CloudWatch Logs writes only); what it may do to AWS resources is the separate, resource-scoped policy of each custom resource.',
      );
    }
  }
}
