import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS } from '@dr/failover-core/ports';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { HealthCheckRecord, type HealthCheckRecordProps } from '../src/index.js';
import { stackIn } from './helpers.js';

function healthRecord(overrides: Partial<HealthCheckRecordProps> = {}) {
  const stack = stackIn('us-east-1');
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
  const record = new HealthCheckRecord(stack, 'Health', {
    vpc,
    domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
    recordName: 'lamp-primary.health.dr.internal',
    ...overrides,
  });
  return { stack, vpc, record, template: Template.fromStack(stack) };
}

describe('HealthCheckRecord', () => {
  it("checks the health path over HTTP every 10 s from Route 53's default regions, failing after 2 checks", () => {
    const { template } = healthRecord();

    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTP',
        FullyQualifiedDomainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
        Port: 80,
        ResourcePath: '/ref',
        RequestInterval: 10,
        FailureThreshold: 2,
        Regions: Match.absent(),
      },
    });
  });

  it('checks from the named regions, over HTTPS on 443, with the failure threshold given', () => {
    const { template } = healthRecord({
      protocol: 'HTTPS',
      failureThreshold: 3,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      healthCheckPath: '/health',
    });

    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        Port: 443,
        ResourcePath: '/health',
        FailureThreshold: 3,
        EnableSNI: true,
        Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      }),
    });
  });

  it('answers the healthy address from the PRIMARY record, which carries the check, and the unhealthy one from the SECONDARY, which does not', () => {
    const { stack, record, template } = healthRecord();
    const checkId = stack.resolve(record.healthCheck.attrHealthCheckId);

    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'lamp-primary.health.dr.internal.',
      Type: 'A',
      TTL: String(HEALTH_RECORD_TTL_SECONDS),
      Failover: 'PRIMARY',
      ResourceRecords: [HEALTH_RECORD_ANSWERS.healthy],
      HealthCheckId: checkId,
      SetIdentifier: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'lamp-primary.health.dr.internal.',
      Type: 'A',
      TTL: '5',
      Failover: 'SECONDARY',
      ResourceRecords: ['192.0.2.2'],
      HealthCheckId: Match.absent(),
    });
  });

  it('puts the records in a private zone associated with the VPC', () => {
    const { stack, vpc, record, template } = healthRecord();

    template.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'health.dr.internal.',
      VPCs: [{ VPCId: stack.resolve(vpc.vpcId), VPCRegion: 'us-east-1' }],
    });
    template.allResourcesProperties('AWS::Route53::RecordSet', { HostedZoneId: stack.resolve(record.hostedZone.hostedZoneId) });
  });

  it("gives the DR config the check's id and the record's name", () => {
    const { stack, record } = healthRecord({ recordName: 'lamp-primary.health.dr.internal.' });

    expect(stack.resolve(record.ref)).toEqual({
      healthCheckId: { 'Fn::GetAtt': [stack.getLogicalId(record.healthCheck), 'HealthCheckId'] },
      recordName: 'lamp-primary.health.dr.internal',
    });
  });

  it('leaves no cdk-nag AwsSolutions finding', () => {
    const { record } = healthRecord();

    const report = new AwsSolutionsChecks().validateScope(record);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('names every prop that cannot work', () => {
    expect(() =>
      healthRecord({ failureThreshold: 11, regions: ['us-east-1', 'mars-1'], healthCheckPath: 'ref', zoneName: 'other.internal' }),
    ).toThrowError(
      /Health: invalid props:\n {2}- healthCheckPath must start with \/; got "ref"\n {2}- failureThreshold must be a whole number 1-10 \(Route 53's range\); got 11\n {2}- regions must name at least three Route 53 checker regions; got 2\n {2}- regions must be among .*; got mars-1\n {2}- recordName must be a name inside the zone other\.internal/,
    );
  });
});

describe('HealthCheckRecord: the health record reader', () => {
  type Resource = { Properties: Record<string, unknown> };
  const reader = (template: Template) =>
    Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Resolves a Route 53 health record') },
      }),
    ) as Resource[];

  it("runs the shipped reader bundle on arm64 with 128 MB and a 5 s timeout, in the VPC's isolated subnets, one per zone", () => {
    const { stack, vpc, record, template } = healthRecord();

    expect(reader(template)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Resolves a Route 53 health record'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 128,
      Timeout: 5,
      Handler: 'index.handler',
      VpcConfig: {
        SubnetIds: stack.resolve(vpc.isolatedSubnets.map((s) => s.subnetId)),
        SecurityGroupIds: [stack.resolve(record.reader.securityGroup.securityGroupId)],
      },
    });
  });

  it("lets out only DNS, to the VPC's own addresses and the resolver's link-local one, and lets nothing in", () => {
    const { stack, vpc, record, template } = healthRecord();
    const id = stack.getLogicalId(record.reader.securityGroup.node.defaultChild as never);
    const group = template.toJSON().Resources[id].Properties as {
      SecurityGroupEgress: Record<string, unknown>[];
      SecurityGroupIngress?: unknown[];
    };
    const egress = group.SecurityGroupEgress.map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort} ${JSON.stringify(r.CidrIp)}`).sort();
    const cidr = JSON.stringify(stack.resolve(vpc.vpcCidrBlock));

    expect(egress).toEqual(
      [`tcp/53-53 ${cidr}`, 'tcp/53-53 "169.254.169.253/32"', `udp/53-53 ${cidr}`, 'udp/53-53 "169.254.169.253/32"'].sort(),
    );
    expect(group.SecurityGroupIngress).toBeUndefined();
  });

  it('may write its logs and manage its network interfaces, nothing else', () => {
    const { template } = healthRecord();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );

    expect(new Set(actions)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ]),
    );
  });

  it('runs in the subnets it is given', () => {
    const stack = stackIn('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natGateways: 0,
      subnetConfiguration: [
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    new HealthCheckRecord(stack, 'Health', {
      vpc,
      domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
      recordName: 'lamp-primary.health.dr.internal',
      reader: { vpcSubnets: { subnetGroupName: 'db' } },
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ SubnetIds: stack.resolve(vpc.selectSubnets({ subnetGroupName: 'db' }).subnetIds) }),
    });
  });

  it('picks one isolated subnet per zone when several groups are isolated', () => {
    const stack = stackIn('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natGateways: 0,
      subnetConfiguration: [
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    const record = new HealthCheckRecord(stack, 'Health', {
      vpc,
      domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
      recordName: 'lamp-primary.health.dr.internal',
    });

    const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(record.reader.function.node.defaultChild as never)]
      .Properties as { VpcConfig: { SubnetIds: unknown[] } };
    expect(props.VpcConfig.SubnetIds).toHaveLength(2);
  });

  it('refuses a timeout too short for a DNS query and a cold start', () => {
    expect(() => healthRecord({ reader: { timeout: Duration.seconds(1) } })).toThrowError(/timeout must be between 2 and 60 seconds/);
  });

  it('invokes only as granted: grantInvoke allows the function itself, not its versions', () => {
    const stack = stackIn('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
    const record = new HealthCheckRecord(stack, 'Health', {
      vpc,
      domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
      recordName: 'lamp-primary.health.dr.internal',
    });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    record.reader.grantInvoke(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(role.roleName)],
      PolicyDocument: {
        Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: stack.resolve(record.reader.function.functionArn) }],
      },
    });
  });
});

describe('HealthRecordReader.allowHealthChecksOf', () => {
  it("lets the reader fetch only the load balancer's host, out on port 80 to its security group, which admits it", () => {
    const stack = stackIn('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
    const record = new HealthCheckRecord(stack, 'Health', {
      vpc,
      domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com',
      recordName: 'lamp-primary.health.dr.internal',
    });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });

    record.reader.allowHealthChecksOf(alb);

    const t = Template.fromStack(stack);
    const [albId, readerSg, albSg] = [alb, record.reader.securityGroup, alb.connections.securityGroups[0]!].map((c) =>
      stack.getLogicalId(c.node.defaultChild as never),
    );
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DR_PROBE_HOSTS: { 'Fn::GetAtt': [albId, 'DNSName'] } }) },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, DestinationSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] } }),
      ]),
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [readerSg, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
    });
    // Without a load balancer to check, the reader fetches nothing: no host, no HTTP rule.
    const plain = healthRecord();
    plain.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DR_DNS_SERVERS: Match.absent(), DR_PROBE_HOSTS: Match.absent() }) },
    });
    plain.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});
