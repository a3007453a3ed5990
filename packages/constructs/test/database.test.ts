import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import {
  PilotLightDatabase,
  PilotLightNetwork,
  PilotLightReplica,
  type PilotLightDatabaseProps,
  type PilotLightReplicaProps,
} from '../src/index.js';
import { stackIn } from './helpers.js';

function primary(props: Partial<PilotLightDatabaseProps> = {}) {
  const stack = stackIn('eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const db = new PilotLightDatabase(stack, 'Db', {
    vpc,
    instanceIdentifier: 'lamp-primary',
    secretReplicaRegions: ['us-east-1'],
    ...props,
  });
  const app = new ec2.SecurityGroup(stack, 'AppTier', { vpc });
  db.connections.allowDefaultPortFrom(app);
  return { stack, db, template: Template.fromStack(stack) };
}

function replica(props: Partial<PilotLightReplicaProps> = {}) {
  const stack = stackIn('us-east-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });
  new PilotLightReplica(stack, 'Replica', {
    vpc,
    instanceIdentifier: 'lamp-replica',
    source: { region: 'eu-west-1', instanceIdentifier: 'lamp-primary' },
    ...props,
  });
  return Template.fromStack(stack);
}

/** The logical id of the DB parameter group named `name`. */
function groupId(template: Template, name: string): string {
  const [id] = Object.keys(template.findResources('AWS::RDS::DBParameterGroup', { Properties: { DBParameterGroupName: name } }));
  if (!id) throw new Error(`no DB parameter group named ${name}`);
  return id;
}

describe('PilotLightDatabase', () => {
  it('encrypts storage with its own key and keeps backups', () => {
    primary().template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-primary',
      DBName: 'lampdb',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      PubliclyAccessible: false,
    });
  });

  it('uses a parameter group of its own, named after it, that leaves read_only to the failover engine', () => {
    const { template } = primary();

    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      DBParameterGroupName: 'lamp-primary-params',
      Family: 'mysql8.4',
      Parameters: { require_secure_transport: '1', binlog_format: 'ROW', read_only: Match.absent() },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-primary',
      DBParameterGroupName: { Ref: groupId(template, 'lamp-primary-params') },
    });
  });

  it('keeps a group for instances retired in its region: the same family and parameters, with read_only 1', () => {
    primary().template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      DBParameterGroupName: 'lamp-primary-retired',
      Family: 'mysql8.4',
      Parameters: { require_secure_transport: '1', binlog_format: 'ROW', read_only: '1' },
    });
  });

  it("takes the groups' names from its props", () => {
    const { template } = primary({ parameterGroupName: 'shop-db', retiredParameterGroupName: 'shop-db-old' });

    template.hasResourceProperties('AWS::RDS::DBInstance', { DBParameterGroupName: { Ref: groupId(template, 'shop-db') } });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      DBParameterGroupName: 'shop-db-old',
      Parameters: Match.objectLike({ read_only: '1' }),
    });
  });

  it('tags the instance, and only the instance, with its tags', () => {
    const { template } = primary({ tags: { team: 'payments' } });

    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-primary',
      Tags: [{ Key: 'team', Value: 'payments' }],
    });
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('payments');
  });

  it('describes itself for the DR config as it is deployed', () => {
    const { stack, db } = primary({ tags: { team: 'payments' } });
    const resolved = stack.resolve(db.drConfig) as Record<string, unknown>;

    expect(resolved).toEqual({
      dbInstanceIdentifier: 'lamp-primary',
      dbParameterGroupName: 'lamp-primary-params',
      retiredDbParameterGroupName: 'lamp-primary-retired',
      dbKmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^DbKey/), 'Arn'] },
      dbSubnetGroupName: 'lamp-primary-subnets',
      dbSecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^DbInstanceSecurityGroup/), 'GroupId'] }],
      dbSettings: {
        instanceClass: 'db.t3.small',
        storageType: 'gp2',
        storageEncrypted: true,
        multiAz: false,
        backupRetentionDays: 7,
        deletionProtection: true,
        iamAuthentication: true,
        cloudwatchLogsExports: ['error', 'slowquery'],
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        tags: { team: 'payments' },
      },
    });
  });

  it("lives in the isolated subnets, reachable only from the app tier's security group", () => {
    const { template } = primary();

    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [{ Ref: Match.stringLikeRegexp('isolated') }, { Ref: Match.stringLikeRegexp('isolated') }],
    });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
    const toDb = Object.values(ingress).filter((r) => JSON.stringify(r).includes('DbInstanceSecurityGroup'));
    expect(toDb).toHaveLength(1);
    const rule = (toDb[0] as { Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': string[] }; FromPort: unknown; CidrIp?: string } })
      .Properties;
    expect(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/^AppTier/);
    expect(rule.FromPort).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbInstance/), 'Endpoint.Port'] });
    expect(rule.CidrIp).toBeUndefined();
    const dbGroup = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find(
      (g) => JSON.stringify(g).includes('DbInstance') || JSON.stringify(g).includes('Db/Instance'),
    );
    expect(JSON.stringify(dbGroup ?? {})).not.toContain('SecurityGroupIngress');
  });

  it('keeps its credentials in Secrets Manager, replicated to the DR region, never in the template', () => {
    const { template } = primary();

    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'lamp-primary/credentials',
      ReplicaRegions: [{ Region: 'us-east-1' }],
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
    const password = (Object.values(template.findResources('AWS::RDS::DBInstance'))[0] as { Properties: { MasterUserPassword: unknown } })
      .Properties.MasterUserPassword;
    expect(JSON.stringify(password)).toContain('{{resolve:secretsmanager:');
  });

  it('names every bad prop at once', () => {
    const stack = stackIn('eu-west-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });

    expect(
      () => new PilotLightDatabase(stack, 'Db', { vpc, instanceIdentifier: '1-bad', parameterGroupName: 'p', secretReplicaRegions: [] }),
    ).toThrowError(
      /Test\/Db: invalid props:\n {2}- instanceIdentifier must be an RDS identifier.*\n {2}- secretReplicaRegions must name the DR region/,
    );
  });
});

describe('PilotLightReplica', () => {
  it("puts the replica in the DR region with that region's own key, sourcing the primary by ARN", () => {
    replica().hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-replica',
      SourceDBInstanceIdentifier: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:lamp-primary']] },
      SourceRegion: 'eu-west-1',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] },
      BackupRetentionPeriod: 7,
      PubliclyAccessible: false,
    });
  });

  it("uses a parameter group of its own, not the primary's, that leaves read_only to the failover engine", () => {
    const template = replica();

    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      DBParameterGroupName: 'lamp-replica-params',
      Family: 'mysql8.4',
      Parameters: { require_secure_transport: '1', binlog_format: 'ROW', read_only: Match.absent() },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-replica',
      DBParameterGroupName: { Ref: groupId(template, 'lamp-replica-params') },
    });
  });

  it('keeps a group for instances retired in its region, with read_only 1', () => {
    replica().hasResourceProperties('AWS::RDS::DBParameterGroup', {
      DBParameterGroupName: 'lamp-replica-retired',
      Family: 'mysql8.4',
      Parameters: { require_secure_transport: '1', binlog_format: 'ROW', read_only: '1' },
    });
  });

  it('states every setting a new replica would not get unless told: backups, deletion protection, IAM auth, logs, copied tags, storage', () => {
    replica().hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-replica',
      DBInstanceClass: 'db.t3.small',
      StorageType: 'gp2',
      MultiAZ: false,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['error', 'slowquery'],
      CopyTagsToSnapshot: true,
      AutoMinorVersionUpgrade: true,
    });
  });

  it('refuses a retired group named as its own group', () => {
    const stack = stackIn('us-east-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });

    expect(
      () =>
        new PilotLightReplica(stack, 'Replica', {
          vpc,
          instanceIdentifier: 'r',
          parameterGroupName: 'Same',
          retiredParameterGroupName: 'same',
          source: { region: 'eu-west-1', instanceIdentifier: 'x' },
        }),
    ).toThrowError(/retiredParameterGroupName must differ from parameterGroupName \(same\)/);
  });

  it('refuses a source in its own region', () => {
    const stack = stackIn('us-east-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });

    expect(
      () =>
        new PilotLightReplica(stack, 'Replica', {
          vpc,
          instanceIdentifier: 'r',
          parameterGroupName: 'p',
          source: { region: 'us-east-1', instanceIdentifier: 'x' },
        }),
    ).toThrowError(/source\.region must be another region/);
  });
});

describe('the databases as IPilotLightDatabase', () => {
  it('gives the replica lag of the instance as AWS/RDS ReplicaLag, by identifier, and an import the same', () => {
    const { stack, db } = primary();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');

    const imported = PilotLightDatabase.fromDatabaseAttributes(stack, 'Imported', {
      instanceIdentifier: 'lamp-old',
      endpointAddress: 'lamp-old.abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [sg],
    });

    for (const [database, identifier] of [
      [db, 'lamp-primary'],
      [imported, 'lamp-old'],
    ] as const) {
      const lag = database.metricReplicaLag();
      expect([lag.namespace, lag.metricName, lag.dimensions, lag.statistic]).toEqual([
        'AWS/RDS',
        'ReplicaLag',
        { DBInstanceIdentifier: identifier },
        'Maximum',
      ]);
    }
    expect(db.metricReplicaLag({ statistic: 'Average' }).statistic).toBe('Average');
    expect([imported.region, imported.endpointAddress, imported.key]).toEqual([
      'eu-west-1',
      'lamp-old.abc.eu-west-1.rds.amazonaws.com',
      undefined,
    ]);
    expect(imported.connections.defaultPort?.toString()).toBe('3306');
    expect([db.instanceIdentifier, db.region, db.key]).toEqual(['lamp-primary', 'eu-west-1', db.key]);
  });

  it('lets the app in to an imported database on its port, through its security group', () => {
    const stack = stackIn('eu-west-1');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Other', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'] });
    const imported = PilotLightDatabase.fromDatabaseAttributes(stack, 'Imported', {
      instanceIdentifier: 'lamp-old',
      endpointAddress: 'lamp-old.abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0', { mutable: true })],
      port: 3307,
    });
    const app = new ec2.SecurityGroup(stack, 'App', { vpc });

    imported.connections.allowDefaultPortFrom(app);

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      FromPort: 3307,
      ToPort: 3307,
    });
  });
});
