import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { GlobalEntryPoint } from '../src/index.js';
import { endpointGroupsHandlerCode } from '../src/private/endpoint-groups.js';
import { stackIn } from './helpers.js';

const EU_ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/primary/1';
const US_ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/secondary/2';

function entry(options: { drServes?: boolean; healthCheckPath?: string; trafficGuard?: boolean; listenerPorts?: number[] } = {}) {
  const stack = stackIn('us-west-2');
  const drServes = options.drServes ?? false;
  const entryPoint = new GlobalEntryPoint(stack, 'Entry', {
    endpoints: [
      { region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: !drServes },
      { region: 'us-east-1', loadBalancerArn: US_ALB, serving: drServes },
    ],
    healthCheckPath: options.healthCheckPath,
    trafficGuard: options.trafficGuard,
    listenerPorts: options.listenerPorts,
  });
  return Object.assign(Template.fromStack(stack), { entryPoint, stack });
}

type Groups = {
  Properties: {
    ServingRegion: string;
    Endpoints: { Region: string; EndpointId: string }[];
    CheckServingRegion: string;
    ListenerArn: unknown;
  };
  DependsOn?: string[];
};
const groupsOf = (t: Template) => Object.values(t.findResources('Custom::EndpointGroups')) as Groups[];
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const statements = (t: Template) =>
  Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
const LISTENER_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^EntryListener'), 'ListenerArn'] };

describe('GlobalEntryPoint', () => {
  it("hands both regions' endpoints and the serving region to the endpoint groups' custom resource, not to CloudFormation-owned groups", () => {
    const t = entry();

    t.hasResourceProperties('AWS::GlobalAccelerator::Listener', { Protocol: 'TCP', PortRanges: [{ FromPort: 80, ToPort: 80 }] });
    t.resourceCountIs('AWS::GlobalAccelerator::EndpointGroup', 0);
    t.hasResourceProperties('Custom::EndpointGroups', {
      ListenerArn: LISTENER_ARN,
      ServingRegion: 'eu-west-1',
      Endpoints: [
        { Region: 'eu-west-1', EndpointId: EU_ALB },
        { Region: 'us-east-1', EndpointId: US_ALB },
      ],
      CheckServingRegion: 'true',
    });
  });

  it('gives the groups no health settings and no weights or dials: Global Accelerator ignores the first for ALBs, the failover engine owns the others', () => {
    const [groups] = groupsOf(entry());

    expect(Object.keys(groups?.Properties ?? {}).sort()).toEqual([
      'CheckServingRegion',
      'Endpoints',
      'ListenerArn',
      'ServiceToken',
      'ServingRegion',
    ]);
  });

  it('names every bad prop at once', () => {
    expect(
      () =>
        new GlobalEntryPoint(stackIn('eu-west-1'), 'Entry', {
          endpoints: [
            { region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: true },
            { region: 'eu-west-1', loadBalancerArn: US_ALB, serving: true },
          ],
          healthCheckPath: 'ref',
        }),
    ).toThrowError(
      /invalid props:\n {2}- a Global Accelerator stack must be in us-west-2; this one is in eu-west-1\n {2}- endpoints must be in different regions.*\n {2}- exactly one endpoint must be serving\n {2}- healthCheckPath must start with \//,
    );
  });

  it('says the DR region serves when its endpoint is the serving one', () => {
    expect(groupsOf(entry({ drServes: true }))[0]?.Properties.ServingRegion).toBe('us-east-1');
  });

  it('turns only the stale-template check off when trafficGuard is false', () => {
    const t = entry({ trafficGuard: false });

    expect(groupsOf(t).map((g) => g.Properties.CheckServingRegion)).toEqual(['false']);
    t.resourceCountIs('Custom::TrafficGuard', 0);
  });

  it("exposes each region's endpoint group ARN from the custom resource, and refuses a region it has no group in", () => {
    const t = entry();
    const [groupsId] = Object.keys(t.findResources('Custom::EndpointGroups'));

    expect(t.stack.resolve(t.entryPoint.endpointGroupArn('us-east-1'))).toEqual({ 'Fn::GetAtt': [groupsId, 'EndpointGroupArn.us-east-1'] });
    expect(t.stack.resolve(t.entryPoint.endpointGroups['eu-west-1']?.attrEndpointGroupArn)).toEqual({
      'Fn::GetAtt': [groupsId, 'EndpointGroupArn.eu-west-1'],
    });
    expect(() => t.entryPoint.endpointGroupArn('ap-south-1')).toThrowError(
      /Entry: no endpoint group in ap-south-1; the endpoints are in eu-west-1, us-east-1/,
    );
  });

  it('lets the provider manage endpoint groups of its own listener only and read its own stack only', () => {
    const t = entry();
    const provider = statements(t).filter((s) => s.Sid !== 'Log');

    expect(t.stack.resolve(provider)).toEqual([
      {
        Sid: 'ListenerGroups',
        Effect: 'Allow',
        Action: ['globalaccelerator:CreateEndpointGroup', 'globalaccelerator:ListEndpointGroups'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EntryListener/), 'ListenerArn'] },
      },
      {
        Sid: 'ChangeGroups',
        Effect: 'Allow',
        Action: ['globalaccelerator:UpdateEndpointGroup', 'globalaccelerator:DeleteEndpointGroup'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^EntryListener/), 'ListenerArn'] }, '/endpoint-group/*']] },
      },
      {
        Sid: 'ReadOwnStack',
        Effect: 'Allow',
        Action: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
        Resource: { Ref: 'AWS::StackId' },
      },
    ]);
  });

  it("keeps the provider's policy until the groups are deleted", () => {
    const t = entry();
    const [policyId] = Object.keys(t.findResources('AWS::IAM::Policy'));

    expect(groupsOf(t)[0]?.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  it('runs the provider from the exact inline handler code on the newest Node.js runtime', () => {
    entry().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: { ZipFile: endpointGroupsHandlerCode() },
    });
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const t = entry();

    const report = new AwsSolutionsChecks().validateScope(t.entryPoint);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('listens on 443 too when the ALBs serve HTTPS', () => {
    entry({ listenerPorts: [80, 443] }).hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      Protocol: 'TCP',
      PortRanges: [
        { FromPort: 80, ToPort: 80 },
        { FromPort: 443, ToPort: 443 },
      ],
    });
  });

  it('names bad listener ports', () => {
    expect(() => entry({ listenerPorts: [] })).toThrowError(/listenerPorts must be one or more TCP ports 1-65535; got \[\]/);
    expect(() => entry({ listenerPorts: [443, 443] })).toThrowError(/listenerPorts must not repeat/);
  });
});
