import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BucketReplication, ReplicatedBucket } from '../src/index.js';
import { stackIn } from './helpers.js';
import { parseJoinedJson } from './template-json.js';

const names = { bucketName: 'primary-lamp-bucket-2023', partnerBucketName: 'secondary-lamp-bucket-2023', partnerRegion: 'us-east-1' };

function deferred() {
  const stack = stackIn('eu-west-1');
  const bucket = new ReplicatedBucket(stack, 'Data', { ...names, deferReplication: true });
  new BucketReplication(stack, 'Replication', { bucket });
  const template = Template.fromStack(stack);
  const [resource] = Object.values(template.findResources('Custom::BucketReplication')) as {
    Properties: { Create: unknown; Update: unknown; Delete: unknown; InstallLatestAwsSdk: unknown };
  }[];
  return { stack, bucket, template, resource };
}

describe('BucketReplication', () => {
  it('puts the replication configuration on create and update, and deletes it on delete, with the SDK of the Lambda runtime', () => {
    const { resource, stack, bucket } = deferred();
    const ref = `<Ref:${stack.getLogicalId(bucket.bucket.node.defaultChild as CfnElement)}>`;

    const create = parseJoinedJson(resource?.Properties.Create) as { service: string; action: string; parameters: { Bucket: string } };
    expect(create).toMatchObject({ service: 'S3', action: 'putBucketReplication', parameters: { Bucket: ref } });
    expect(parseJoinedJson(resource?.Properties.Update)).toEqual(create);
    expect(parseJoinedJson(resource?.Properties.Delete)).toMatchObject({
      service: 'S3',
      action: 'deleteBucketReplication',
      parameters: { Bucket: ref },
    });
    expect(resource?.Properties.InstallLatestAwsSdk).toBe(false);
  });

  it("applies exactly the rule the bucket would carry inline, in the S3 API's shape", () => {
    const { resource } = deferred();
    const inline = stackIn('eu-west-1');
    new ReplicatedBucket(inline, 'Data', names);
    const [bucket] = Object.values(
      Template.fromStack(inline).findResources('AWS::S3::Bucket', { Properties: { BucketName: names.bucketName } }),
    ) as { Properties: { ReplicationConfiguration: { Role: unknown; Rules: Record<string, unknown>[] } } }[];
    const inlineRule = bucket?.Properties.ReplicationConfiguration.Rules[0] ?? {};

    const put = parseJoinedJson(resource?.Properties.Create) as {
      parameters: { ReplicationConfiguration: { Role: string; Rules: Record<string, unknown>[] } };
    };
    const [applied] = put.parameters.ReplicationConfiguration.Rules;

    expect(put.parameters.ReplicationConfiguration.Role).toMatch(/^<DataReplicationRole\w+\.Arn>$/);
    // Same rule; only the S3 API's spelling of the id and the partition placeholder differ.
    const { Id, ...rest } = inlineRule;
    expect(applied).toEqual({
      ...JSON.parse(
        JSON.stringify(rest).replace(
          /\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":s3:::secondary-lamp-bucket-2023"\]\]\}/,
          '"arn:<Ref:AWS::Partition>:s3:::secondary-lamp-bucket-2023"',
        ),
      ),
      ID: Id,
    });
    expect(applied).toMatchObject({
      Destination: { ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } } },
      SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
    });
  });

  it("may only put this bucket's replication configuration and pass its replication role", () => {
    const { template } = deferred();

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ReplicationCustomResourcePolicy'),
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:PutReplicationConfiguration',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataBucket'), 'Arn'] },
          },
          { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataReplicationRole'), 'Arn'] } },
        ],
      },
    });
  });

  it('refuses a bucket whose rule is already inline, or one in another region', () => {
    const app = stackIn('eu-west-1').node.root;
    const there = new Stack(app, 'There', { env: { account: '123456789012', region: 'eu-west-1' } });
    const here = new Stack(app, 'Here', { env: { account: '123456789012', region: 'us-east-1' } });
    const bucket = new ReplicatedBucket(there, 'Data', names);

    expect(() => new BucketReplication(here, 'Replication', { bucket })).toThrowError(
      /Here\/Replication: invalid props:\n {2}- bucket must be made with deferReplication: true.*\n {2}- bucket must be in this stack's region us-east-1; it is in eu-west-1/,
    );
  });
});
