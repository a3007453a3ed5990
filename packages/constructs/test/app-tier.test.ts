import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AppTier, PilotLightNetwork } from '../src/index.js';
import { once, stackIn } from './helpers.js';

const tier = once(function tier(pilotLight: boolean, healthCheckPath?: string, certificateArn?: string) {
  const stack = stackIn(pilotLight ? 'us-east-1' : 'eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', {
    cidr: '10.0.0.0/16',
    availabilityZones: pilotLight ? ['us-east-1a', 'us-east-1b'] : ['eu-west-1a', 'eu-west-1b'],
  });
  new AppTier(stack, 'App', {
    vpc,
    autoScalingGroupName: pilotLight ? 'secondary-asg' : 'primary-asg',
    capacity: { min: 2, desired: 2, max: 4 },
    pilotLight,
    amiParameterName: '/dr/lamp/ami',
    healthCheckPath,
    certificateArn,
  });
  return Template.fromStack(stack);
});

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

describe('AppTier', () => {
  it('keeps the pilot light at zero instances, able to grow to max', () => {
    tier(true).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AutoScalingGroupName: 'secondary-asg',
      MinSize: '0',
      MaxSize: '4',
      DesiredCapacity: Match.absent(),
    });
  });

  it('never writes desired capacity, so a redeploy does not undo a failover', () => {
    tier(false).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2',
      MaxSize: '4',
      DesiredCapacity: Match.absent(),
    });
  });

  it('checks health on /ref every 5 s (4 s timeout, 2 to fail, 2 to recover) through a load balancer the other region can probe', () => {
    const t = tier(false);

    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/ref',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      UnhealthyThresholdCount: 2,
      HealthyThresholdCount: 2,
    });
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

  it('with a certificate, serves HTTPS on 443 with a TLS 1.2+/1.3 policy, on the same targets', () => {
    const t = tier(false, undefined, CERT);
    const [targetGroup] = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));

    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: targetGroup } }],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]),
    });
  });

  it('with a certificate, redirects port 80 to HTTPS except the health path, which stays forwarded', () => {
    const t = tier(false, undefined, CERT);
    const [targetGroup] = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));

    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ref'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: targetGroup } }],
    });
  });

  it('without a certificate, has only the HTTP listener forwarding everything', () => {
    const t = tier(false);

    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'forward' })] });
  });

  it('names a certificateArn that is not an ACM ARN', () => {
    expect(() => tier(false, undefined, 'my-cert')).toThrowError(/certificateArn must be an ACM certificate ARN; got "my-cert"/);
  });

  it('sends launch, terminate and error notifications to a KMS-encrypted, TLS-only topic', () => {
    const t = tier(false);
    const [topic] = Object.keys(t.findResources('AWS::SNS::Topic'));

    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [
        {
          TopicARN: { Ref: topic },
          NotificationTypes: Match.arrayEquals([
            'autoscaling:EC2_INSTANCE_LAUNCH',
            'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
            'autoscaling:EC2_INSTANCE_TERMINATE',
            'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
          ]),
        },
      ],
    });
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppNotificationKey'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('lets the Auto Scaling service-linked role, and only it, use the topic key through SNS', () => {
    tier(false).hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AutoScalingPublishes',
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: {
              StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' },
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});
