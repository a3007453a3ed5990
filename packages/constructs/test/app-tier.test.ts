import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AppTier, PilotLightNetwork } from '../src/index.js';
import { stackIn } from './helpers.js';

function tier(pilotLight: boolean, healthCheckPath?: string) {
  const stack = stackIn(pilotLight ? 'us-east-1' : 'eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: pilotLight ? ['us-east-1a', 'us-east-1b'] : ['eu-west-1a', 'eu-west-1b'] });
  new AppTier(stack, 'App', { vpc, autoScalingGroupName: pilotLight ? 'secondary-asg' : 'primary-asg', capacity: { min: 2, desired: 2, max: 4 }, pilotLight, amiParameterName: '/dr/lamp/ami', healthCheckPath });
  return Template.fromStack(stack);
}

describe('AppTier', () => {
  it('keeps the pilot light at zero instances, able to grow to max', () => {
    tier(true).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { AutoScalingGroupName: 'secondary-asg', MinSize: '0', MaxSize: '4', DesiredCapacity: Match.absent() });
  });

  it('never writes desired capacity, so a redeploy does not undo a failover', () => {
    tier(false).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '4', DesiredCapacity: Match.absent() });
  });

  it('checks health on /ref through a load balancer the other region can probe', () => {
    const t = tier(false);

    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/ref', HealthCheckIntervalSeconds: 30, UnhealthyThresholdCount: 2 });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
  });

  it('launches from the AMI in SSM with IMDSv2 and encrypted volumes', () => {
    const t = tier(false);

    // Resolved at each launch: no deploy-time parameter that must already exist.
    expect(Object.keys(t.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' }))).toEqual([]);
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: 'resolve:ssm:/dr/lamp/ami',
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
      }),
    });
  });

  it('names every bad prop at once', () => {
    expect(() => tier(false, 'ref')).toThrowError(/healthCheckPath must start with \/; got "ref"/);
  });
});
