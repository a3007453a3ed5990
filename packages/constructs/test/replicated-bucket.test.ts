import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ReplicatedBucket } from '../src/index.js';
import { stackIn } from './helpers.js';

function primaryBucket() {
  const stack = stackIn('eu-west-1');
  new ReplicatedBucket(stack, 'Data', {
    bucketName: 'primary-lamp-bucket-2023',
    partnerBucketName: 'secondary-lamp-bucket-2023',
    partnerRegion: 'us-east-1',
  });
  return Template.fromStack(stack);
}

describe('ReplicatedBucket', () => {
  it('is versioned, encrypted, and blocks public access', () => {
    primaryBucket().hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'primary-lamp-bucket-2023',
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('refuses every request that is not over TLS', () => {
    primaryBucket().hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('replicates everything to the DR bucket with Replication Time Control, delete markers and replica modifications included', () => {
    primaryBucket().hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            DeleteMarkerReplication: { Status: 'Enabled' },
            SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
            Destination: {
              Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::secondary-lamp-bucket-2023']] },
              ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
              Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
            },
          }),
        ],
      },
    });
  });

  it('gives the replication role only the replication actions, on the two buckets', () => {
    const t = primaryBucket();
    const policies = t.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

    expect(actions.sort()).toEqual([
      's3:GetObjectVersionAcl',
      's3:GetObjectVersionForReplication',
      's3:GetObjectVersionTagging',
      's3:GetReplicationConfiguration',
      's3:ListBucket',
      's3:ReplicateDelete',
      's3:ReplicateObject',
      's3:ReplicateTags',
    ]);
    expect(statements.every((s) => s.Resource !== '*')).toBe(true);
  });

  it('keeps the bucket and its data when the stack is deleted', () => {
    primaryBucket().hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('names every bad prop at once', () => {
    expect(
      () =>
        new ReplicatedBucket(stackIn('eu-west-1'), 'Data', {
          bucketName: 'Bad_Name',
          partnerBucketName: 'Bad_Name',
          partnerRegion: 'eu-west-1',
          infrequentAccessAfterDays: 7,
        }),
    ).toThrowError(
      /Test\/Data: invalid props:\n {2}- bucketName must be a valid S3 bucket name; got "Bad_Name"\n {2}- partnerBucketName must be a valid S3 bucket name.*\n {2}- partnerBucketName must differ from bucketName\n {2}- partnerRegion must differ from this stack's region eu-west-1\n {2}- infrequentAccessAfterDays must be 0 or at least 30/,
    );
  });
});

describe('ReplicatedBucket with deferReplication', () => {
  it('leaves the rule off the bucket but still makes the bucket and its replication role', () => {
    const stack = stackIn('eu-west-1');
    const data = new ReplicatedBucket(stack, 'Data', {
      bucketName: 'primary-lamp-bucket-2023',
      partnerBucketName: 'secondary-lamp-bucket-2023',
      partnerRegion: 'us-east-1',
      deferReplication: true,
    });
    const t = Template.fromStack(stack);

    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'primary-lamp-bucket-2023',
      VersioningConfiguration: { Status: 'Enabled' },
      ReplicationConfiguration: Match.absent(),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })] }),
    });
    expect(data.replicationDeferred).toBe(true);
    expect(data.replicationConfiguration.rules).toHaveLength(1);
  });
});

describe('ReplicatedBucket lifecycle durations', () => {
  it('takes the lifecycle as Durations', () => {
    const stack = stackIn('eu-west-1');
    new ReplicatedBucket(stack, 'Data', {
      bucketName: 'primary-lamp-bucket-2023',
      partnerBucketName: 'secondary-lamp-bucket-2023',
      partnerRegion: 'us-east-1',
      infrequentAccessAfter: Duration.days(60),
      noncurrentVersionExpiration: Duration.days(7),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'primary-lamp-bucket-2023',
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            Transitions: [Match.objectLike({ TransitionInDays: 60 })],
          }),
        ]),
      },
    });
  });

  it('refuses a Duration below S3 minimum, or beside its deprecated number, naming the props', () => {
    const stack = stackIn('eu-west-1');

    expect(
      () =>
        new ReplicatedBucket(stack, 'Data', {
          bucketName: 'primary-lamp-bucket-2023',
          partnerBucketName: 'secondary-lamp-bucket-2023',
          partnerRegion: 'us-east-1',
          infrequentAccessAfter: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(7),
          noncurrentVersionExpirationDays: 7,
        }),
    ).toThrowError(
      /infrequentAccessAfter must be 0 or at least 30 whole days \(an S3 minimum\); got 7 days[\s\S]*noncurrentVersionExpiration and noncurrentVersionExpirationDays must not both be given/,
    );
  });
});
