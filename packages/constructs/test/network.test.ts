import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PilotLightNetwork } from '../src/index.js';
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

    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 8);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.secretsmanager', PrivateDnsEnabled: true });
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it('names every bad prop at once', () => {
    const stack = stackIn('eu-west-1');

    expect(() => new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/8', availabilityZones: ['us-east-1a'] })).toThrowError(
      /Test\/Net: invalid props:\n {2}- cidr must be \/16 to \/22; got \/8\n {2}- availabilityZones must name at least two zones; got 1\n {2}- availabilityZones must all be in the stack's region eu-west-1/,
    );
    expect(() => new PilotLightNetwork(stackIn('eu-west-1'), 'Net', { cidr: '10.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] })).toThrowError(/cidr must be an IPv4 CIDR/);
  });
});
