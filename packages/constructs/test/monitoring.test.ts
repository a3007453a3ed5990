import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { AppTier, DrMonitoring, PilotLightNetwork } from '../src/index.js';
import { stackIn } from './helpers.js';

function monitoring(role: 'primary' | 'secondary') {
  const stack = stackIn(role === 'primary' ? 'eu-west-1' : 'us-east-1');
  const azs = role === 'primary' ? ['eu-west-1a', 'eu-west-1b'] : ['us-east-1a', 'us-east-1b'];
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: azs });
  const appTier = new AppTier(stack, 'App', { vpc, autoScalingGroupName: `${role}-asg`, capacity: { min: 2, desired: 2, max: 4 }, pilotLight: role === 'secondary', amiParameterName: '/dr/lamp/ami' });
  const topic = new sns.Topic(stack, 'Topic');
  new DrMonitoring(stack, 'Monitoring', { app: 'lamp', role, appTier, topic, replicaInstanceIdentifier: role === 'secondary' ? 'lamp-replica' : undefined });
  return Template.fromStack(stack);
}

describe('DrMonitoring', () => {
  it('names the availability alarm as the DR config expects, and treats a silent primary as down', () => {
    monitoring('primary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-primary-alb-availability',
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('healthy < 1') })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  it('alarms on EC2 health checks failing', () => {
    monitoring('primary').hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'lamp-primary-unhealthy-instances', MetricName: 'UnHealthyHostCount' });
  });

  it('alarms when the replica lags past the RPO objective', () => {
    monitoring('secondary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-secondary-replica-lag',
      MetricName: 'ReplicaLag',
      Namespace: 'AWS/RDS',
      Threshold: 60,
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'lamp-replica' }],
    });
  });

  it('puts every alarm on a DR dashboard', () => {
    const t = monitoring('secondary');
    const body = JSON.stringify((Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody);

    expect(body).toContain('DR alarms');
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'lamp-secondary-dr' });
  });
});
