import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeAws,
  ROUTE_AUTHORIZATIONS,
  startDynalite,
  startFakeAwsServer,
  type FakeAwsServer,
  type FakeCredentials,
  type LocalDynamo,
  type PolicyDocument,
} from '../../src/index.js';

const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:lamp-dr`;
const TOPIC_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-1111-4222-8333-444444444444`;
const config = parseConfig({ ...referenceConfig, controller: { stateTableName: 'lamp-dr-state', topicArn: TOPIC } });
const role: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'rds:DescribeDBInstances', Resource: '*' },
    { Effect: 'Allow', Action: 'rds:PromoteReadReplica', Resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:lamp-replica` },
    { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
    { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/lamp-dr-state` },
  ],
};

describe('FakeIam: calls over HTTP authorized as AWS would', () => {
  let fake: FakeAws;
  let server: FakeAwsServer;
  let dynamo: LocalDynamo;
  let keys: FakeCredentials;
  beforeEach(async () => {
    fake = new FakeAws(config, 'steady', { mockSdk: false });
    server = await startFakeAwsServer(fake);
    dynamo = await startDynalite({ iam: fake.iam });
    await dynamo.createTable('lamp-dr-state');
    keys = fake.iam.addPrincipal({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ctl/fn`,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/ctl`,
      account: ACCOUNT,
      policies: [role],
    });
  });
  afterEach(async () => {
    await Promise.all([server.stop(), dynamo.stop()]);
  });
  const clientConfig = (region: string, endpoint = server.endpoint) => ({ region, endpoint, credentials: keys, maxAttempts: 1 });

  it('answers what the policies allow and records each decision', async () => {
    const out = await new RDSClient(clientConfig('us-east-1')).send(
      new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'lamp-replica' }),
    );

    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(fake.calls.promoteReplicaAttempts).toBe(1);
    expect(fake.iam.authorizations).toEqual([
      expect.objectContaining({
        action: 'rds:PromoteReadReplica',
        resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:lamp-replica`,
        allowed: true,
      }),
    ]);
  });

  it("refuses the rest with each service's AccessDenied, naming the caller, action and resource, and changes nothing", async () => {
    const rds = new RDSClient(clientConfig('eu-west-1')).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'lamp-primary' }));
    await expect(rds).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ctl/fn is not authorized to perform: rds:PromoteReadReplica on resource: arn:aws:rds:eu-west-1:${ACCOUNT}:db:lamp-primary because no identity-based policy allows the rds:PromoteReadReplica action`,
    });
    await expect(new SSMClient(clientConfig('us-east-1')).send(new GetParameterCommand({ Name: '/dr/lamp/config' }))).rejects.toMatchObject(
      {
        name: 'AccessDeniedException',
        message: expect.stringMatching(/ssm:GetParameter on resource: arn:aws:ssm:us-east-1:123456789012:parameter\/dr\/lamp\/config/),
      },
    );
    await expect(new EC2Client(clientConfig('us-east-1')).send(new DescribeImagesCommand({ ImageIds: ['ami-1'] }))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    });
    expect(fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
    expect(fake.iam.denials().map((d) => d.action)).toEqual(['rds:PromoteReadReplica', 'ssm:GetParameter', 'ec2:DescribeImages']);
  });

  it("needs the publisher's KMS permissions through SNS for an encrypted topic", async () => {
    fake.iam.topicKeys.set(TOPIC, TOPIC_KEY);
    const sns = new SNSClient(clientConfig('us-east-1'));

    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'm' }))).rejects.toMatchObject({
      name: 'KMSAccessDeniedException',
      message: expect.stringMatching(/kms:GenerateDataKey on resource: arn:aws:kms/),
    });
    const principal = [...fake.iam.principals.values()][0]!;
    principal.policies = [
      role,
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: TOPIC_KEY,
            Condition: { StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
          },
        ],
      },
    ];
    await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'm' }));

    expect(fake.published).toHaveLength(1);
  });

  it("leaves calls with keys nobody registered unchecked (the test's own hand)", async () => {
    const out = await new RDSClient({
      region: 'eu-west-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    }).send(new DescribeDBInstancesCommand({}));

    expect(out.DBInstances?.length).toBeGreaterThan(0);
    expect(fake.iam.authorizations).toEqual([]);
  });

  it('authorizes DynamoDB in front of dynalite, on the table', async () => {
    const db = new DynamoDBClient(clientConfig('us-east-1', dynamo.endpoint));

    await db.send(new GetItemCommand({ TableName: 'lamp-dr-state', Key: { pk: { S: 'x' } } }));
    await expect(db.send(new PutItemCommand({ TableName: 'lamp-dr-state', Item: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/lamp-dr-state/),
    });
  });

  it('knows how AWS authorizes every call the fakes answer', () => {
    expect(fake.routeKeys.filter((key) => ROUTE_AUTHORIZATIONS[key] === undefined)).toEqual([]);
  });

  it('refuses a call whose authorization the fakes do not know, naming where to add it', async () => {
    expect(() => fake.iam.authorize(keys.accessKeyId, 'rds', 'DeleteDBInstance', {}, 'us-east-1')).toThrow(
      /do not know how AWS authorizes rds:DeleteDBInstance/,
    );
  });
});
