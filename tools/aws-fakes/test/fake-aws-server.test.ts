import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  ResetDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '../src/index.js';

// A real SDK client over HTTP: the query protocol's (de)serialisation is what is under test.
const config = parseConfig({
  ...referenceConfig,
  secondary: { ...referenceConfig.secondary, dbSettings: { ...referenceConfig.secondary.dbSettings, tags: { app: 'lamp', tier: 'db' } } },
});
const PRIMARY_ARN = 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary';
const REPLICA_ARN = 'arn:aws:rds:us-east-1:123456789012:db:lamp-replica';

let fake: FakeAws;
let server: FakeAwsServer;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake);
});
afterEach(async () => server.stop());

const client = (region: string, maxAttempts = 1) =>
  new RDSClient({ region, endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' }, maxAttempts });
const describeOne = async (region: string, id: string) =>
  (await client(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];

describe('startFakeAwsServer: RDS over the query protocol', () => {
  it('answers DescribeDBInstances with every field and list as the SDK model names them', async () => {
    const replica = await describeOne('us-east-1', 'lamp-replica');
    const primary = await describeOne('eu-west-1', 'lamp-primary');

    expect(replica).toMatchObject({
      DBInstanceIdentifier: 'lamp-replica',
      DBInstanceStatus: 'available',
      ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN,
      DBParameterGroups: [{ DBParameterGroupName: 'lamp-replica-params', ParameterApplyStatus: 'in-sync' }],
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0fedcba9876543210', Status: 'active' }],
      TagList: [
        { Key: 'app', Value: 'lamp' },
        { Key: 'tier', Value: 'db' },
      ],
      EnabledCloudwatchLogsExports: ['error', 'slowquery'],
      StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }],
      BackupRetentionPeriod: 7,
      DBInstanceClass: 'db.t3.small',
      AllocatedStorage: 20,
      StorageType: 'gp2',
      MultiAZ: false,
      DeletionProtection: true,
      IAMDatabaseAuthenticationEnabled: true,
      StorageEncrypted: true,
      DBSubnetGroup: { DBSubnetGroupName: 'lamp-replica-subnets' },
    });
    expect(replica?.InstanceCreateTime).toBeInstanceOf(Date);
    expect(primary?.ReadReplicaDBInstanceIdentifiers).toEqual([REPLICA_ARN]);
  });

  it('takes CreateDBInstanceReadReplica with its lists, numbers and booleans as the SDK sends them', async () => {
    await client('us-east-1').send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'lamp-replica-2',
        SourceDBInstanceIdentifier: PRIMARY_ARN,
        KmsKeyId: config.secondary.dbKmsKeyArn,
        DBParameterGroupName: 'lamp-replica-params',
        DBSubnetGroupName: 'lamp-replica-subnets',
        VpcSecurityGroupIds: ['sg-0fedcba9876543210', 'sg-0aaaaaaaaaaaaaaaa'],
        EnableCloudwatchLogsExports: ['error', 'slowquery'],
        MultiAZ: true,
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
        CopyTagsToSnapshot: false,
        PubliclyAccessible: false,
        Tags: [
          { Key: 'app', Value: 'lamp' },
          { Key: 'dr:source', Value: PRIMARY_ARN },
        ],
      }),
    );

    expect(fake.db('us-east-1', 'lamp-replica-2')).toMatchObject({
      parameterGroup: 'lamp-replica-params',
      settings: {
        kmsKeyId: config.secondary.dbKmsKeyArn,
        subnetGroupName: 'lamp-replica-subnets',
        securityGroupIds: ['sg-0fedcba9876543210', 'sg-0aaaaaaaaaaaaaaaa'],
        cloudwatchLogsExports: ['error', 'slowquery'],
        multiAz: true,
        deletionProtection: true,
        iamAuthentication: true,
        copyTagsToSnapshot: false,
        publiclyAccessible: false,
        backupRetentionPeriod: 0,
        tags: { app: 'lamp', 'dr:source': PRIMARY_ARN },
      },
    });
    expect((await describeOne('us-east-1', 'lamp-replica-2'))?.DBInstanceStatus).toBe('creating');
  });

  it('modifies, pages through and resets a parameter group', async () => {
    const eu = client('eu-west-1');
    await eu.send(
      new ModifyDBParameterGroupCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: Array.from({ length: 20 }, (_, i) => ({
          ParameterName: `p${String(i).padStart(2, '0')}`,
          ParameterValue: '1',
          ApplyMethod: 'immediate',
        })),
      }),
    );
    await eu.send(
      new ModifyDBParameterGroupCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
      }),
    );

    const first = await eu.send(
      new DescribeDBParametersCommand({ DBParameterGroupName: 'lamp-primary-params', Source: 'user', MaxRecords: 20 }),
    );
    const second = await eu.send(
      new DescribeDBParametersCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Source: 'user',
        MaxRecords: 20,
        Marker: first.Marker,
      }),
    );
    const filtered = await eu.send(
      new DescribeDBParametersCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Filters: [{ Name: 'parameter-name', Values: ['read_only', 'p03'] }],
      }),
    );
    expect([first.Parameters?.length, second.Parameters?.map((p) => `${p.ParameterName}=${p.ParameterValue}`)]).toEqual([
      20,
      ['read_only=1'],
    ]);
    expect(filtered.Parameters?.map((p) => p.ParameterName)).toEqual(['p03', 'read_only']);
    expect((await describeOne('eu-west-1', 'lamp-primary'))?.DBParameterGroups).toEqual([
      { DBParameterGroupName: 'lamp-primary-params', ParameterApplyStatus: 'applying' },
    ]);

    await eu.send(
      new ResetDBParameterGroupCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }],
      }),
    );

    const after = await eu.send(
      new DescribeDBParametersCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Filters: [{ Name: 'parameter-name', Values: ['read_only'] }],
      }),
    );
    expect(after.Parameters).toMatchObject([{ ParameterName: 'read_only', ParameterValue: '{TrueIfReplica}', Source: 'engine-default' }]);
  });

  it('takes ModifyDBInstance, RebootDBInstance and PromoteReadReplica with their numbers and booleans', async () => {
    const us = client('us-east-1');
    await us.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'lamp-replica', BackupRetentionPeriod: 3 }));
    for (let i = 0; i < 6; i++) await describeOne('us-east-1', 'lamp-replica');
    await us.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'lamp-replica',
        BackupRetentionPeriod: 9,
        DeletionProtection: false,
        DBParameterGroupName: 'lamp-replica-retired',
        ApplyImmediately: true,
      }),
    );
    await us.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-replica' }));

    expect(fake.db('us-east-1', 'lamp-replica')).toMatchObject({
      role: 'primary',
      status: 'rebooting',
      parameterGroup: 'lamp-replica-retired',
      settings: { backupRetentionPeriod: 9, deletionProtection: false },
    });
  });

  it("carries AWS's error codes to the SDK", async () => {
    const error = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}: ${e.message}`,
      );

    expect(
      await error(
        client('us-east-1').send(
          new ModifyDBParameterGroupCommand({
            DBParameterGroupName: 'default.mysql8.4',
            Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
          }),
        ),
      ),
    ).toBe('InvalidParameterValue 400: Cannot modify a default parameter group.');
    expect(await error(describeOne('us-east-1', 'nope'))).toBe('DBInstanceNotFoundFault 404: DBInstance nope not found.');
    expect(
      await error(
        client('us-east-1')
          .send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-replica' }))
          .then(() => client('us-east-1').send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'lamp-replica' }))),
      ),
    ).toBe('InvalidDBInstanceStateFault 400: DB instance is not in available state.');
  });

  it('acts on a call whose answer it loses, then drops the connection', async () => {
    fake.loseResponses.set('ModifyDBParameterGroup', 1);
    const fence = (c: RDSClient) =>
      c.send(
        new ModifyDBParameterGroupCommand({
          DBParameterGroupName: 'lamp-primary-params',
          Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
        }),
      );

    await expect(fence(client('eu-west-1'))).rejects.toThrow();

    expect(fake.parameterGroup('eu-west-1', 'lamp-primary-params')?.parameters.get('read_only')).toBe('1');
    expect(fake.lostResponses).toEqual(['ModifyDBParameterGroup']);
  });

  it('is retried by the SDK after a lost answer, as AWS would be: the call lands twice', async () => {
    fake.loseResponses.set('ModifyDBParameterGroup', 1);

    await client('eu-west-1', 3).send(
      new ModifyDBParameterGroupCommand({
        DBParameterGroupName: 'lamp-primary-params',
        Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
      }),
    );

    expect(fake.calls.setWriteFence).toBe(2);
    expect(server.calls.filter((c) => c === 'rds:ModifyDBParameterGroup')).toHaveLength(2);
  });

  it('drops every call to a region in an outage', async () => {
    fake.outages.add('eu-west-1');

    await expect(describeOne('eu-west-1', 'lamp-primary')).rejects.toThrow();
    expect((await describeOne('us-east-1', 'lamp-replica'))?.StatusInfos).toEqual([
      { StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Replication has stopped.' },
    ]);
  });
});

describe('startFakeAwsServer: Secrets Manager over the JSON protocol', () => {
  const secrets = (region: string) =>
    new SecretsManagerClient({
      region,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      maxAttempts: 1,
    });
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lamp-primary/credentials-AbCdEf';

  it('answers GetSecretValue with the secret string kept for that region and id', async () => {
    fake.secrets.set(`eu-west-1:${ARN}`, '{"username":"admin"}');

    const out = await secrets('eu-west-1').send(new GetSecretValueCommand({ SecretId: ARN }));

    expect(out.SecretString).toBe('{"username":"admin"}');
    expect(server.calls).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('answers ResourceNotFoundException in a region that does not keep the secret', async () => {
    fake.secrets.set(`eu-west-1:${ARN}`, '{}');

    await expect(secrets('us-east-1').send(new GetSecretValueCommand({ SecretId: ARN }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
