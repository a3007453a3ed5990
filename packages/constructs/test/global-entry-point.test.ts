import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GlobalEntryPoint } from '../src/index.js';
import { stackIn } from './helpers.js';

const EU_ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/primary/1';
const US_ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/secondary/2';

function entry() {
  const stack = stackIn('us-west-2');
  new GlobalEntryPoint(stack, 'Entry', { endpoints: [{ region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: true }, { region: 'us-east-1', loadBalancerArn: US_ALB, serving: false }] });
  return Template.fromStack(stack);
}

describe('GlobalEntryPoint', () => {
  it('sends traffic to the primary and keeps the pilot light at weight 0, health-checked on /ref', () => {
    const t = entry();

    t.hasResourceProperties('AWS::GlobalAccelerator::Listener', { Protocol: 'TCP', PortRanges: [{ FromPort: 80, ToPort: 80 }] });
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'eu-west-1',
      TrafficDialPercentage: 100,
      HealthCheckPath: '/ref',
      HealthCheckIntervalSeconds: 10,
      EndpointConfigurations: [{ EndpointId: EU_ALB, Weight: 128, ClientIPPreservationEnabled: true }],
    });
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'us-east-1',
      TrafficDialPercentage: 0,
      EndpointConfigurations: [{ EndpointId: US_ALB, Weight: 0, ClientIPPreservationEnabled: true }],
    });
  });

  it('names every bad prop at once', () => {
    expect(() => new GlobalEntryPoint(stackIn('eu-west-1'), 'Entry', { endpoints: [{ region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: true }, { region: 'eu-west-1', loadBalancerArn: US_ALB, serving: true }], healthCheckPath: 'ref' })).toThrowError(
      /invalid props:\n {2}- a Global Accelerator stack must be in us-west-2; this one is in eu-west-1\n {2}- endpoints must be in different regions.*\n {2}- exactly one endpoint must be serving\n {2}- healthCheckPath must start with \//,
    );
  });
});
