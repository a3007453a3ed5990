import { createHash } from 'node:crypto';
import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ga from 'aws-cdk-lib/aws-globalaccelerator';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { lambdaRoleAndLogs } from './private/lambda-basics.js';
import { trafficGuardHandlerCode } from './private/traffic-guard.js';
import { validateProps } from './private/validate.js';

/** One region's endpoint in the accelerator. */
export interface RegionalEndpoint {
  readonly region: string;
  /** The region's ALB. */
  readonly loadBalancerArn: string;
  /**
   * True for the region that serves; false for the pilot light, whose endpoint gets weight 0 and
   * dial 0. Global Accelerator ignores the traffic dial on failover, so only weight 0 keeps users
   * off a region whose database is still a read-only replica: the failover engine opens it.
   * After a failover, the region that serves now must be the serving one here (the traffic guard
   * fails a deploy that disagrees with the live groups).
   */
  readonly serving: boolean;
}

/** Props of {@link GlobalEntryPoint}. */
export interface GlobalEntryPointProps {
  /** @default the construct path */
  readonly acceleratorName?: string;
  /** Both regions' endpoints. */
  readonly endpoints: readonly RegionalEndpoint[];
  /**
   * Ignored: the endpoints are ALBs, whose health Global Accelerator takes from the ALB's target
   * health checks (set them on the target group: `AppTier` does).
   * @deprecated Global Accelerator does not use it for ALB endpoints.
   * @default '/ref'
   */
  readonly healthCheckPath?: string;
  /**
   * Ignored: the endpoints are ALBs, whose health Global Accelerator takes from the ALB's target
   * health checks.
   * @deprecated Global Accelerator does not use it for ALB endpoints.
   * @default - Global Accelerator's default
   */
  readonly healthCheckIntervalSeconds?: 10 | 30;
  /**
   * TCP ports the accelerator listens on and forwards to the ALBs on the same ports; [80, 443]
   * when the ALBs serve HTTPS.
   * @default [80]
   */
  readonly listenerPorts?: readonly number[];
  /**
   * Ignored: the endpoints are ALBs, whose health Global Accelerator takes from the ALB's target
   * health checks.
   * @deprecated Global Accelerator does not use it for ALB endpoints.
   * @default - Global Accelerator's default
   */
  readonly healthCheckThreshold?: number;
  /**
   * Guard live traffic on deploy: before CloudFormation writes the endpoint groups (only when
   * their settings change), a custom resource reads the live groups and fails the deploy if the
   * region serving now is not the `serving` endpoint of this template, so a redeploy after a
   * failover cannot send users back to the failed region. Turn off only to move traffic by
   * deploy on purpose.
   * @default true
   */
  readonly trafficGuard?: boolean;
}

/** Weight of a serving endpoint: Global Accelerator's default. */
const SERVING_WEIGHT = 128;

/**
 * The global entry point: a Global Accelerator with one TCP listener (port 80, and 443 with TLS) and an endpoint
 * group per region on its ALB, with client IPs preserved. An ALB endpoint's health is the ALB's
 * target health, so the endpoint groups carry no health check settings of their own. Must be deployed in us-west-2, where Global Accelerator's control plane lives.
 * A deploy that would change the endpoint groups first checks that the live serving region is
 * the template's (see `trafficGuard`), because the failover engine changes weights and dials
 * outside CloudFormation.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-traffic-dial.html
 */
export class GlobalEntryPoint extends Construct {
  readonly accelerator: ga.CfnAccelerator;
  readonly listener: ga.CfnListener;
  /** Endpoint groups by region. */
  readonly endpointGroups: Readonly<Record<string, ga.CfnEndpointGroup>>;
  /** The deploy-time guard the endpoint groups depend on; undefined when `trafficGuard` is false. */
  readonly trafficGuard?: CustomResource;

  constructor(scope: Construct, id: string, props: GlobalEntryPointProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const path = props.healthCheckPath ?? '/ref';
    const regions = props.endpoints.map((e) => e.region);
    const ports = props.listenerPorts ?? [80];
    validateProps(this, [
      { failed: !Token.isUnresolved(region) && region !== 'us-west-2', message: `a Global Accelerator stack must be in us-west-2; this one is in ${region}` },
      { failed: props.endpoints.length !== 2, message: `endpoints must name exactly two regions; got ${props.endpoints.length}` },
      { failed: new Set(regions).size !== regions.length, message: `endpoints must be in different regions; got ${regions.join(', ')}` },
      { failed: props.endpoints.filter((e) => e.serving).length !== 1, message: 'exactly one endpoint must be serving' },
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
      { failed: ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535), message: `listenerPorts must be one or more TCP ports 1-65535; got ${JSON.stringify(ports)}` },
      { failed: new Set(ports).size !== ports.length, message: `listenerPorts must not repeat; got ${JSON.stringify(ports)}` },
    ]);

    this.accelerator = new ga.CfnAccelerator(this, 'Accelerator', { name: props.acceleratorName ?? this.node.path.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64), enabled: true, ipAddressType: 'IPV4' });
    this.listener = new ga.CfnListener(this, 'Listener', { acceleratorArn: this.accelerator.attrAcceleratorArn, protocol: 'TCP', portRanges: ports.map((p) => ({ fromPort: p, toPort: p })), clientAffinity: 'NONE' });
    const settings = props.endpoints.map(
      (endpoint): ga.CfnEndpointGroupProps => ({
        listenerArn: this.listener.attrListenerArn,
        endpointGroupRegion: endpoint.region,
        trafficDialPercentage: endpoint.serving ? 100 : 0,
        // No health check settings: "For Network Load Balancer and Application Load Balancer
        // endpoints, configure health check settings on the ELB console" — Global Accelerator
        // routes an ALB endpoint by the ALB's target health (healthy while each target group has
        // a healthy target) and ignores the group's protocol, port, path, interval and threshold.
        // The target group's checks (AppTier: every 5 s, 2 to fail) are the ones that count.
        // https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-health-check-options.html
        endpointConfigurations: [{ endpointId: endpoint.loadBalancerArn, weight: endpoint.serving ? SERVING_WEIGHT : 0, clientIpPreservationEnabled: true }],
      }),
    );
    const serving = props.endpoints.find((e) => e.serving)?.region ?? '';
    this.trafficGuard = props.trafficGuard === false ? undefined : this.guard(serving, settings);
    const groups: Record<string, ga.CfnEndpointGroup> = {};
    for (const group of settings) {
      const region = group.endpointGroupRegion;
      groups[region] = new ga.CfnEndpointGroup(this, `Group-${region}`, group);
      // CloudFormation updates the guard, which may fail the deploy, before any group.
      if (this.trafficGuard) groups[region].node.addDependency(this.trafficGuard);
    }
    this.endpointGroups = groups;
  }

  /**
   * The guard: a Lambda (inline Node.js, AWS SDK v3 of the runtime) that lists the listener's live
   * endpoint groups. Its properties carry the groups' desired settings (a hash of what is known
   * at synthesis, plus the deploy-time endpoint ids), so CloudFormation runs it exactly when the
   * groups would change. ListEndpointGroups rather than DescribeEndpointGroup: the groups depend
   * on the guard, so it cannot name them, and on the first deploy there are none.
   */
  private guard(servingRegion: string, settings: readonly ga.CfnEndpointGroupProps[]): CustomResource {
    const scope = new Construct(this, 'TrafficGuard');
    const { role, logGroup } = lambdaRoleAndLogs(scope, 'Fails a deploy that would move live Global Accelerator traffic');
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadLiveGroups', actions: ['globalaccelerator:ListEndpointGroups'], resources: [this.listener.attrListenerArn] }));
    const handler = new lambda.Function(scope, 'Function', {
      // Plain CommonJS and the runtime's own AWS SDK v3: no bundle to pin, so the newest runtime.
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(trafficGuardHandlerCode()),
      timeout: Duration.minutes(1),
      role,
      logGroup,
      description: 'Refuses endpoint group updates that would move live traffic (see GlobalEntryPoint)',
    });
    const desired = JSON.stringify(Stack.of(this).resolve(settings));
    return new CustomResource(scope, 'Resource', {
      resourceType: 'Custom::TrafficGuard',
      serviceToken: handler.functionArn,
      properties: {
        ListenerArn: this.listener.attrListenerArn,
        ServingRegion: servingRegion,
        EndpointIds: settings.flatMap((g) => (g.endpointConfigurations as ga.CfnEndpointGroup.EndpointConfigurationProperty[]).map((e) => e.endpointId)),
        DesiredSettingsHash: createHash('sha256').update(desired).digest('hex'),
      },
    });
  }

  /** The accelerator's DNS name: the address users reach. */
  get dnsName(): string {
    return this.accelerator.attrDnsName;
  }
}
