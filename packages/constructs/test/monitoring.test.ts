import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { READINESS_CHECKS, referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { AppTier, DrConfigParameter, DrMonitoring, FailoverController, PilotLightNetwork, ReadinessChecks } from '../src/index.js';
import { parseJoinedJson } from './template-json.js';
import { once, stackIn } from './helpers.js';

const monitoring = once(function monitoring(role: 'primary' | 'secondary') {
  const stack = stackIn(role === 'primary' ? 'eu-west-1' : 'us-east-1');
  const azs = role === 'primary' ? ['eu-west-1a', 'eu-west-1b'] : ['us-east-1a', 'us-east-1b'];
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: azs });
  const appTier = new AppTier(stack, 'App', {
    vpc,
    autoScalingGroupName: `${role}-asg`,
    capacity: { min: 2, desired: 2, max: 4 },
    pilotLight: role === 'secondary',
    amiParameterName: '/dr/lamp/ami',
  });
  const topic = new sns.Topic(stack, 'Topic');
  new DrMonitoring(stack, 'Monitoring', {
    app: 'lamp',
    role,
    appTier,
    topic,
    replicaInstanceIdentifier: role === 'secondary' ? 'lamp-replica' : undefined,
  });
  return Template.fromStack(stack);
});

describe('DrMonitoring', () => {
  it('names the availability alarm as the DR config expects, and treats a silent primary as down', () => {
    monitoring('primary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-primary-alb-availability',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(healthy < 1, 1, failedShare)', ReturnData: true })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  it('fills the sparse 5xx and request counts with 0, never the healthy-host count, and keeps the share within 0..1', () => {
    const [alarm] = Object.values(
      monitoring('primary').findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'lamp-primary-alb-availability' } }),
    ) as {
      Properties: { Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string }; Stat: string } }[] };
    }[];
    const expressions = Object.fromEntries((alarm?.Properties.Metrics ?? []).flatMap((m) => (m.Expression ? [[m.Id, m.Expression]] : [])));
    const stats = Object.fromEntries(
      (alarm?.Properties.Metrics ?? []).flatMap((m) =>
        m.MetricStat ? [[m.Id, `${m.MetricStat.Metric.MetricName}/${m.MetricStat.Stat}`]] : [],
      ),
    );

    expect(expressions).toEqual({
      expr_1: 'IF(healthy < 1, 1, failedShare)',
      failedShare: 'IF(answers > 0, failures / answers, 0)',
      failures: 'FILL(target5xx, 0) + FILL(elb5xx, 0)',
      answers: 'FILL(requests, 0) + FILL(elb5xx, 0)',
    });
    expect(stats).toEqual({
      healthy: 'HealthyHostCount/Maximum',
      target5xx: 'HTTPCode_Target_5XX_Count/Sum',
      elb5xx: 'HTTPCode_ELB_5XX_Count/Sum',
      requests: 'RequestCount/Sum',
    });
  });

  it('alarms on EC2 health checks failing', () => {
    monitoring('primary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-primary-unhealthy-instances',
      MetricName: 'UnHealthyHostCount',
    });
  });

  it('alarms when the replica lags past the RPO objective, or replication has stopped (-1), but not once it is promoted (no data)', () => {
    monitoring('secondary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-secondary-replica-lag',
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(lag < 0, 120, lag)', Label: Match.anyValue(), ReturnData: true },
        Match.objectLike({
          Id: 'lag',
          ReturnData: false,
          MetricStat: Match.objectLike({
            Metric: {
              MetricName: 'ReplicaLag',
              Namespace: 'AWS/RDS',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'lamp-replica' }],
            },
            Stat: 'Maximum',
          }),
        }),
      ],
    });
  });

  it('does not alarm on the dark DR region: availability counts only while its group wants instances', () => {
    const t = monitoring('secondary');
    const [alarm] = Object.values(
      t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'lamp-secondary-alb-availability' } }),
    ) as {
      Properties: {
        TreatMissingData: string;
        Metrics: {
          Id: string;
          Expression?: string;
          MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] } };
        }[];
      };
    }[];

    expect(alarm?.Properties.TreatMissingData).toBe('breaching');
    const expression = alarm?.Properties.Metrics.find((m) => m.Id === 'expr_1')?.Expression;
    expect(expression).toBe('IF(desired < 1, 0, IF(healthy < 1, 1, failedShare))');
    const desired = alarm?.Properties.Metrics.find((m) => m.Id === 'desired')?.MetricStat?.Metric;
    expect(desired).toMatchObject({
      MetricName: 'GroupDesiredCapacity',
      Namespace: 'AWS/AutoScaling',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: { Ref: expect.stringMatching(/^AppGroup/) } }],
    });
  });

  it('still counts the primary as down when it has no healthy target, whatever its group wants', () => {
    const [alarm] = Object.values(
      monitoring('primary').findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'lamp-primary-alb-availability' } }),
    ) as { Properties: { Metrics: { Id: string; Expression?: string }[] } }[];

    expect(alarm?.Properties.Metrics.find((m) => m.Id === 'expr_1')?.Expression).toMatch(/^IF\(healthy < 1, 1,/);
    expect(alarm?.Properties.Metrics.map((m) => m.Id)).not.toContain('desired');
  });

  it('puts every alarm on a DR dashboard', () => {
    const t = monitoring('secondary');
    const body = JSON.stringify(
      (Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } }).Properties
        .DashboardBody,
    );

    expect(body).toContain('DR alarms');
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'lamp-secondary-dr' });
  });

  it('adds a readiness row: the readiness alarms, and one graph of every check in DR/Readiness', () => {
    const stack = stackIn('us-east-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const appTier = new AppTier(stack, 'App', {
      vpc,
      autoScalingGroupName: 'secondary-asg',
      capacity: { min: 2, desired: 2, max: 4 },
      pilotLight: true,
      amiParameterName: '/dr/lamp/ami',
    });
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const code = lambda.Code.fromInline('export const handler = async () => {};');
    const controller = new FailoverController(stack, 'Controller', { configParameter, code });
    const readiness = new ReadinessChecks(stack, 'Readiness', { configParameter, controller, code });
    new DrMonitoring(stack, 'Monitoring', { app: 'lamp', role: 'secondary', appTier, readiness });

    const t = Template.fromStack(stack);
    const body = parseJoinedJson(
      (Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } }).Properties
        .DashboardBody,
    ) as {
      widgets: { y: number; properties: { title: string; metrics?: unknown[][]; annotations?: { alarms?: string[] } } }[];
    };
    const graph = body.widgets.find((w) => w.properties.title.startsWith('Readiness ('));
    const alarms = body.widgets.find((w) => w.properties.title === 'Readiness alarms');

    expect(graph?.properties.metrics?.map((m) => m.slice(0, 4))).toEqual(
      READINESS_CHECKS.map((check) => ['DR/Readiness', check, 'App', 'lamp']),
    );
    expect(alarms?.properties.annotations?.alarms ?? (alarms?.properties as { alarms?: string[] } | undefined)?.alarms).toHaveLength(
      READINESS_CHECKS.length + 1,
    );
    expect(graph?.y).toBe(alarms?.y);
  });
});

describe('DrMonitoring of a tier you have', () => {
  it('watches any load balancer, target group and group name, with the RPO objective as a Duration', () => {
    const stack = stackIn('us-east-1');
    const loadBalancerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/mine/0123456789abcdef';
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
      loadBalancerArn,
      securityGroupId: 'sg-0123456789abcdef0',
    });
    const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', {
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mine/0123456789abcdef',
      loadBalancerArns: loadBalancerArn,
    });

    new DrMonitoring(stack, 'Monitoring', {
      app: 'lamp',
      role: 'secondary',
      appTier: { loadBalancer, targetGroup, autoScalingGroupName: 'my-asg' },
      replicaInstanceIdentifier: 'lamp-replica',
      maxDataLoss: Duration.seconds(90),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'lamp-secondary-replica-lag', Threshold: 90 });
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).toContain('"my-asg"');
  });

  it('refuses maxDataLoss beside maxDataLossSeconds, naming the props', () => {
    const stack = stackIn('us-east-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const appTier = new AppTier(stack, 'App', {
      vpc,
      autoScalingGroupName: 'asg',
      capacity: { min: 1, desired: 1, max: 2 },
      amiParameterName: '/ami',
    });

    expect(
      () =>
        new DrMonitoring(stack, 'Monitoring', {
          app: 'lamp',
          role: 'primary',
          appTier,
          maxDataLoss: Duration.minutes(1),
          maxDataLossSeconds: 60,
        }),
    ).toThrowError(/maxDataLoss and maxDataLossSeconds must not both be given/);
  });
});
