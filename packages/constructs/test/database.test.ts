import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { PilotLightDatabase, PilotLightNetwork, PilotLightReplica } from '../src/index.js';
import { stackIn } from './helpers.js';

function primary() {
  const stack = stackIn('eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const db = new PilotLightDatabase(stack, 'Db', { vpc, instanceIdentifier: 'lamp-primary', parameterGroupName: 'lamp-mysql8', secretReplicaRegions: ['us-east-1'] });
  const app = new ec2.SecurityGroup(stack, 'AppTier', { vpc });
  db.connections.allowDefaultPortFrom(app);
  return { stack, template: Template.fromStack(stack) };
}

function replica() {
  const stack = stackIn('us-east-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });
  new PilotLightReplica(stack, 'Replica', { vpc, instanceIdentifier: 'lamp-replica', parameterGroupName: 'lamp-mysql8', source: { region: 'eu-west-1', instanceIdentifier: 'lamp-primary' } });
  return Template.fromStack(stack);
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
      DBParameterGroupName: { Ref: Match.stringLikeRegexp('^DbParameters') },
    });
  });

  it('lives in the isolated subnets, reachable only from the app tier\'s security group', () => {
    const { template } = primary();

    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: [{ Ref: Match.stringLikeRegexp('isolated') }, { Ref: Match.stringLikeRegexp('isolated') }] });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
    const toDb = Object.values(ingress).filter((r) => JSON.stringify(r).includes('DbInstanceSecurityGroup'));
    expect(toDb).toHaveLength(1);
    const rule = (toDb[0] as { Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': string[] }; FromPort: unknown; CidrIp?: string } }).Properties;
    expect(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/^AppTier/);
    expect(rule.FromPort).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbInstance/), 'Endpoint.Port'] });
    expect(rule.CidrIp).toBeUndefined();
    const dbGroup = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find((g) => JSON.stringify(g).includes('DbInstance') || JSON.stringify(g).includes('Db/Instance'));
    expect(JSON.stringify(dbGroup ?? {})).not.toContain('SecurityGroupIngress');
  });

  it('keeps its credentials in Secrets Manager, replicated to the DR region, never in the template', () => {
    const { template } = primary();

    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'lamp-primary/credentials', ReplicaRegions: [{ Region: 'us-east-1' }], GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }) });
    const password = (Object.values(template.findResources('AWS::RDS::DBInstance'))[0] as { Properties: { MasterUserPassword: unknown } }).Properties.MasterUserPassword;
    expect(JSON.stringify(password)).toContain('{{resolve:secretsmanager:');
  });

  it('names every bad prop at once', () => {
    const stack = stackIn('eu-west-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });

    expect(() => new PilotLightDatabase(stack, 'Db', { vpc, instanceIdentifier: '1-bad', parameterGroupName: 'p', secretReplicaRegions: [] })).toThrowError(
      /Test\/Db: invalid props:\n {2}- instanceIdentifier must be an RDS identifier.*\n {2}- secretReplicaRegions must name the DR region/,
    );
  });
});

describe('PilotLightReplica', () => {
  it('puts the replica in the DR region with that region\'s own key, sourcing the primary by ARN', () => {
    replica().hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-replica',
      SourceDBInstanceIdentifier: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:lamp-primary']] },
      SourceRegion: 'eu-west-1',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] },
      BackupRetentionPeriod: 7,
      PubliclyAccessible: false,
    });
  });

  it('uses a parameter group of the same name as the primary\'s', () => {
    replica().hasResourceProperties('AWS::RDS::DBParameterGroup', { DBParameterGroupName: 'lamp-mysql8', Parameters: { require_secure_transport: '1', binlog_format: 'ROW' } });
  });

  it('refuses a source in its own region', () => {
    const stack = stackIn('us-east-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });

    expect(() => new PilotLightReplica(stack, 'Replica', { vpc, instanceIdentifier: 'r', parameterGroupName: 'p', source: { region: 'us-east-1', instanceIdentifier: 'x' } })).toThrowError(/source\.region must be another region/);
  });
});
