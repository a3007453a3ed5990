import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GlobalEntryPoint } from '../src/index.js';
import { stackIn } from './helpers.js';

const EU_ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/primary/1';
const US_ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/secondary/2';

function entry(options: { drServes?: boolean; healthCheckPath?: string; trafficGuard?: boolean; listenerPorts?: number[] } = {}) {
  const stack = stackIn('us-west-2');
  const drServes = options.drServes ?? false;
  new GlobalEntryPoint(stack, 'Entry', {
    endpoints: [{ region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: !drServes }, { region: 'us-east-1', loadBalancerArn: US_ALB, serving: drServes }],
    healthCheckPath: options.healthCheckPath,
    trafficGuard: options.trafficGuard,
    listenerPorts: options.listenerPorts,
  });
  return Template.fromStack(stack);
}

type Guard = { Properties: { ServingRegion: string; DesiredSettingsHash: string; EndpointIds: string[]; ListenerArn: unknown } };
const guardOf = (t: Template) => Object.values(t.findResources('Custom::TrafficGuard')) as Guard[];

describe('GlobalEntryPoint', () => {
  it('sends traffic to the primary and keeps the pilot light at weight 0', () => {
    const t = entry();

    t.hasResourceProperties('AWS::GlobalAccelerator::Listener', { Protocol: 'TCP', PortRanges: [{ FromPort: 80, ToPort: 80 }] });
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'eu-west-1',
      TrafficDialPercentage: 100,
      EndpointConfigurations: [{ EndpointId: EU_ALB, Weight: 128, ClientIPPreservationEnabled: true }],
    });
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'us-east-1',
      TrafficDialPercentage: 0,
      EndpointConfigurations: [{ EndpointId: US_ALB, Weight: 0, ClientIPPreservationEnabled: true }],
    });
  });

  it('leaves the endpoints\' health to the ALBs\' target health: no health settings on the groups, which Global Accelerator ignores for ALBs', () => {
    const groups = Object.values(entry().findResources('AWS::GlobalAccelerator::EndpointGroup')) as { Properties: Record<string, unknown> }[];

    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(Object.keys(g.Properties).filter((k) => /^HealthCheck|^ThresholdCount$/.test(k))).toEqual([]);
    }
  });

  it('names every bad prop at once', () => {
    expect(() => new GlobalEntryPoint(stackIn('eu-west-1'), 'Entry', { endpoints: [{ region: 'eu-west-1', loadBalancerArn: EU_ALB, serving: true }, { region: 'eu-west-1', loadBalancerArn: US_ALB, serving: true }], healthCheckPath: 'ref' })).toThrowError(
      /invalid props:\n {2}- a Global Accelerator stack must be in us-west-2; this one is in eu-west-1\n {2}- endpoints must be in different regions.*\n {2}- exactly one endpoint must be serving\n {2}- healthCheckPath must start with \//,
    );
  });

  it('updates the endpoint groups only after the traffic guard has passed', () => {
    const t = entry();
    const [guardId] = Object.keys(t.findResources('Custom::TrafficGuard'));

    const groups = Object.values(t.findResources('AWS::GlobalAccelerator::EndpointGroup')) as { DependsOn?: string[] }[];
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(g.DependsOn).toContain(guardId);
    expect(guardOf(t)[0]?.Properties).toMatchObject({ ServingRegion: 'eu-west-1', EndpointIds: [EU_ALB, US_ALB], ListenerArn: { 'Fn::GetAtt': [expect.stringMatching(/^EntryListener/), 'ListenerArn'] } });
  });

  it('runs the guard exactly when the groups\' settings change: their hash is in its properties', () => {
    const hash = (t: Template) => guardOf(t)[0]?.Properties.DesiredSettingsHash;

    expect(hash(entry())).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(entry())).toBe(hash(entry()));
    expect(hash(entry({ drServes: true }))).not.toBe(hash(entry()));
  });

  it('wants the DR region to serve when its endpoint is the serving one', () => {
    const t = entry({ drServes: true });

    expect(guardOf(t)[0]?.Properties.ServingRegion).toBe('us-east-1');
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', { EndpointGroupRegion: 'us-east-1', TrafficDialPercentage: 100, EndpointConfigurations: [Match.objectLike({ Weight: 128 })] });
    t.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', { EndpointGroupRegion: 'eu-west-1', TrafficDialPercentage: 0, EndpointConfigurations: [Match.objectLike({ Weight: 0 })] });
  });

  it('lets the guard only list the endpoint groups of its own listener, from inline Node.js code on the newest runtime', () => {
    const t = entry();

    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Sid: 'ReadLiveGroups', Effect: 'Allow', Action: 'globalaccelerator:ListEndpointGroups', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EntryListener'), 'ListenerArn'] } }]),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Code: { ZipFile: Match.stringLikeRegexp('ListEndpointGroupsCommand') } });
  });

  it('has no guard when trafficGuard is false', () => {
    const t = entry({ trafficGuard: false });

    t.resourceCountIs('Custom::TrafficGuard', 0);
    for (const g of Object.values(t.findResources('AWS::GlobalAccelerator::EndpointGroup')) as { DependsOn?: string[] }[]) expect(g.DependsOn).toBeUndefined();
  });

  it('listens on 443 too when the ALBs serve HTTPS', () => {
    entry({ listenerPorts: [80, 443] }).hasResourceProperties('AWS::GlobalAccelerator::Listener', { Protocol: 'TCP', PortRanges: [{ FromPort: 80, ToPort: 80 }, { FromPort: 443, ToPort: 443 }] });
  });

  it('names bad listener ports', () => {
    expect(() => entry({ listenerPorts: [] })).toThrowError(/listenerPorts must be one or more TCP ports 1-65535; got \[\]/);
    expect(() => entry({ listenerPorts: [443, 443] })).toThrowError(/listenerPorts must not repeat/);
  });
});
