import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS } from '@dr/failover-core/ports';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { HealthCheckRecord, type HealthCheckRecordProps } from '../src/index.js';
import { stackIn } from './helpers.js';

function healthRecord(overrides: Partial<HealthCheckRecordProps> = {}) {
  const stack = stackIn('us-east-1');
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
  const record = new HealthCheckRecord(stack, 'Health', { vpc, domainName: 'primary-alb-123.eu-west-1.elb.amazonaws.com', recordName: 'lamp-primary.health.dr.internal', ...overrides });
  return { stack, vpc, record, template: Template.fromStack(stack) };
}

describe('HealthCheckRecord', () => {
  it('checks the health path over HTTP every 10 s from Route 53\'s default regions, failing after 2 checks', () => {
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
    const { template } = healthRecord({ protocol: 'HTTPS', failureThreshold: 3, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'], healthCheckPath: '/health' });

    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', Port: 443, ResourcePath: '/health', FailureThreshold: 3, EnableSNI: true, Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'] }),
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

  it('puts the records in a private zone associated with the controller\'s VPC', () => {
    const { stack, vpc, record, template } = healthRecord();

    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'health.dr.internal.', VPCs: [{ VPCId: stack.resolve(vpc.vpcId), VPCRegion: 'us-east-1' }] });
    template.allResourcesProperties('AWS::Route53::RecordSet', { HostedZoneId: stack.resolve(record.hostedZone.hostedZoneId) });
  });

  it('gives the DR config the check\'s id and the record\'s name', () => {
    const { stack, record } = healthRecord({ recordName: 'lamp-primary.health.dr.internal.' });

    expect(stack.resolve(record.ref)).toEqual({ healthCheckId: { 'Fn::GetAtt': [stack.getLogicalId(record.healthCheck), 'HealthCheckId'] }, recordName: 'lamp-primary.health.dr.internal' });
  });

  it('leaves no cdk-nag AwsSolutions finding', () => {
    const { record } = healthRecord();

    const report = new AwsSolutionsChecks().validateScope(record);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('names every prop that cannot work', () => {
    expect(() => healthRecord({ failureThreshold: 11, regions: ['us-east-1', 'mars-1'], healthCheckPath: 'ref', zoneName: 'other.internal' })).toThrowError(
      /Health: invalid props:\n {2}- healthCheckPath must start with \/; got "ref"\n {2}- failureThreshold must be a whole number 1-10 \(Route 53's range\); got 11\n {2}- regions must name at least three Route 53 checker regions; got 2\n {2}- regions must be among .*; got mars-1\n {2}- recordName must be a name inside the zone other\.internal/,
    );
  });
});
