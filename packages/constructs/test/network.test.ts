import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PilotLightNetwork, RegionStack } from '../src/index.js';
import { stackIn } from './helpers.js';

describe('PilotLightNetwork', () => {
  it('lays public, private and isolated subnets across the named zones, with no lookups', () => {
    const stack = stackIn('eu-west-1');
    new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const t = Template.fromStack(stack);

    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1a', CidrBlock: '10.0.0.0/24', MapPublicIpOnLaunch: true });
    t.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: false });
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(stack.node.metadata.filter((m) => m.type === 'aws:cdk:error')).toEqual([]);
  });

  it('reaches AWS APIs through endpoints: gateways for S3 and DynamoDB, interfaces for the rest', () => {
    const stack = stackIn('us-east-1');
    new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const t = Template.fromStack(stack);

    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 8);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      PrivateDnsEnabled: true,
    });
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it('names every bad prop at once', () => {
    const stack = stackIn('eu-west-1');

    expect(() => new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/8', availabilityZones: ['us-east-1a'] })).toThrowError(
      /Test\/Net: invalid props:\n {2}- cidr must be \/16 to \/22; got \/8\n {2}- availabilityZones must name at least two zones; got 1\n {2}- availabilityZones must all be zones of the stack's region eu-west-1 \(eu-west-1a, eu-west-1b, \.\.\.\); got us-east-1a/,
    );
    expect(
      () => new PilotLightNetwork(stackIn('eu-west-1'), 'Net', { cidr: '10.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] }),
    ).toThrowError(/cidr must be an IPv4 CIDR/);
    expect(
      () =>
        new PilotLightNetwork(stackIn('eu-west-1'), 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1-lax-1a'] }),
    ).toThrowError(/availabilityZones must all be zones of the stack's region eu-west-1/);
    expect(() => new PilotLightNetwork(stackIn('us-west-1'), 'Net', { cidr: '10.0.0.0/16' })).toThrowError(
      /availabilityZones must be named for us-west-1/,
    );
    expect(() => new PilotLightNetwork(stackIn('eu-west-1'), 'Net', { cidr: '10.0.0.0/16', natGateways: 3 })).toThrowError(
      /natGateways must be a whole number from 0 to the number of zones \(2\); got 3/,
    );
  });

  it("without NAT, makes the app subnets isolated, selected by group apart from the database's", () => {
    const stack = new RegionStack(new App(), 'Dr', { env: { account: '123456789012', region: 'us-east-1' } });
    const net = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', natGateways: 0, interfaceEndpoints: [] });
    const t = Template.fromStack(stack);

    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    expect(net.availabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    const app = net.vpc.selectSubnets(net.appSubnets).subnetIds;
    const db = net.vpc.selectSubnets(net.databaseSubnets).subnetIds;
    expect(app).toHaveLength(2);
    expect(db).toHaveLength(2);
    expect(app.some((id) => db.includes(id))).toBe(false);
  });

  it('in a RegionStack, synthesizes with no zone lookup; in a plain stack with an account, says the zones will be looked up', () => {
    const app = new App();
    const regional = new RegionStack(app, 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    new PilotLightNetwork(regional, 'Net', { cidr: '10.0.0.0/16' });
    const plain = new Stack(app, 'Plain', { env: { account: '123456789012', region: 'eu-west-1' } });
    new PilotLightNetwork(plain, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const assembly = app.synth();

    expect(assembly.manifest.missing ?? []).toEqual([
      expect.objectContaining({ key: 'availability-zones:account=123456789012:region=eu-west-1' }),
    ]);
    expect(Annotations.fromStack(regional).findWarning('*', Match.stringLikeRegexp('looks up'))).toEqual([]);
    expect(Annotations.fromStack(plain).findWarning('*', Match.stringLikeRegexp('make the stack a RegionStack'))).toHaveLength(1);
    expect(() => new RegionStack(app, 'Nowhere', { env: { account: '123456789012', region: 'us-west-1' } })).toThrowError(
      /availabilityZones must be named for us-west-1/,
    );
  });
});

describe('PilotLightNetwork.fromVpc', () => {
  it('takes a VPC you have, with the subnets named, or the private-with-egress and isolated ones by default', () => {
    const stack = stackIn('eu-west-1');
    const vpc = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] }).vpc;

    const named = PilotLightNetwork.fromVpc(stack, 'Named', { vpc, appSubnets: { subnetGroupName: 'private' } });
    const byDefault = PilotLightNetwork.fromVpc(stack, 'Default', { vpc });

    expect(named.vpc).toBe(vpc);
    expect(named.appSubnets).toEqual({ subnetGroupName: 'private' });
    expect(byDefault.appSubnets).toEqual({ subnetType: 'Private' });
    expect(byDefault.databaseSubnets).toEqual({ subnetType: 'Isolated' });
    expect(vpc.selectSubnets(byDefault.databaseSubnets).subnetIds).toHaveLength(2);
  });
});
