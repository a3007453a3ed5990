import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ga from 'aws-cdk-lib/aws-globalaccelerator';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '@dr/failover-core';
import { Construct } from 'constructs';
import { lambdaRoleAndLogs } from './private/lambda-basics.js';
import { endpointGroupsHandlerCode } from './private/endpoint-groups.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/** One region's endpoint in the accelerator. */
export interface RegionalEndpoint {
  /** The endpoint's region: its endpoint group's. */
  readonly region: string;
  /** The region's ALB. */
  readonly loadBalancerArn: string;
  /**
   * True for the region that serves; false for the pilot light, whose endpoint group is created
   * with weight 0 and dial 0. Global Accelerator ignores the traffic dial on failover, so only
   * weight 0 keeps users off a region whose database is still a read-only replica: the failover
   * engine opens it. Used only when the groups are created: later deploys never write weights or
   * dials. After a failover, the region that serves now must be the serving one here (a forward
   * deploy that disagrees with the live groups fails, see `trafficGuard`).
   */
  readonly serving: boolean;
}

/** Props of {@link GlobalEntryPoint}. */
export interface GlobalEntryPointProps {
  /** The accelerator's name (the console and `dr status` show it). @default the construct path */
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
   * Stop a stale deploy: a forward update of the endpoint groups (the serving region or an ALB
   * changed) fails before changing anything when the region serving now is not the `serving`
   * endpoint of this template, because the rest of the template (the app tiers' capacities)
   * follows the same choice. It never fails a rollback. Whatever this says, a deploy never writes
   * the groups' weights or dials (the failover engine owns them), so no deploy or rollback moves
   * users; `false` only drops the stale-template check.
   * @default true
   */
  readonly trafficGuard?: boolean;
}

/**
 * The global entry point: a Global Accelerator with one TCP listener (port 80, and 443 with TLS)
 * and an endpoint group per region on its ALB, with client IPs preserved. An ALB endpoint's health
 * is the ALB's target health, so the endpoint groups carry no health check settings of their own.
 * Must be deployed in us-west-2, where Global Accelerator's control plane lives.
 *
 * The endpoint groups are a custom resource (`Custom::EndpointGroups`), not
 * `AWS::GlobalAccelerator::EndpointGroup`: the failover engine changes their weights and dials
 * outside CloudFormation, and a CloudFormation-owned group would have those written back by any
 * update or rollback of it, sending users to the region that does not serve. The provider creates
 * the groups with their first weights (serving 128 and dial 100, pilot light 0 and 0) and from then
 * on never writes a weight or a dial: a new ALB takes the live weight of the one it replaces.
 * A new accelerator (and so a new listener) gets new groups from the template's `serving`
 * endpoint. The provider tries to delete the old listener's groups (Global Accelerator will not
 * delete a listener that still has groups), but by then its role is scoped to the new listener:
 * the call is refused, the cleanup does not fail, and the old groups and listener stay for an
 * operator to remove.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-traffic-dial.html
 */
export class GlobalEntryPoint extends Construct {
  readonly accelerator: ga.CfnAccelerator;
  readonly listener: ga.CfnListener;
  /** The custom resource holding every region's endpoint group. */
  readonly endpointGroupsResource: CustomResource;
  /**
   * Endpoint groups by region, for callers of the CfnEndpointGroup era.
   * @deprecated use {@link GlobalEntryPoint.endpointGroupArn}.
   */
  readonly endpointGroups: Readonly<Record<string, { readonly attrEndpointGroupArn: string }>>;
  private readonly regions: readonly string[];

  constructor(scope: Construct, id: string, props: GlobalEntryPointProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const path = props.healthCheckPath ?? '/ref';
    const regions = props.endpoints.map((e) => e.region);
    const ports = props.listenerPorts ?? [80];
    validateProps(this, [
      {
        failed: !Token.isUnresolved(region) && region !== GLOBAL_ACCELERATOR_CONTROL_REGION,
        message: `a Global Accelerator stack must be in ${GLOBAL_ACCELERATOR_CONTROL_REGION}; this one is in ${region}`,
      },
      { failed: props.endpoints.length !== 2, message: `endpoints must name exactly two regions; got ${props.endpoints.length}` },
      { failed: new Set(regions).size !== regions.length, message: `endpoints must be in different regions; got ${regions.join(', ')}` },
      { failed: props.endpoints.filter((e) => e.serving).length !== 1, message: 'exactly one endpoint must be serving' },
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
      {
        failed: ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535),
        message: `listenerPorts must be one or more TCP ports 1-65535; got ${JSON.stringify(ports)}`,
      },
      { failed: new Set(ports).size !== ports.length, message: `listenerPorts must not repeat; got ${JSON.stringify(ports)}` },
    ]);

    this.accelerator = new ga.CfnAccelerator(this, 'Accelerator', {
      name: props.acceleratorName ?? this.node.path.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64),
      enabled: true,
      ipAddressType: 'IPV4',
    });
    this.listener = new ga.CfnListener(this, 'Listener', {
      acceleratorArn: this.accelerator.attrAcceleratorArn,
      protocol: 'TCP',
      portRanges: ports.map((p) => ({ fromPort: p, toPort: p })),
      clientAffinity: 'NONE',
    });
    this.regions = regions;
    this.endpointGroupsResource = this.groups(props);
    this.endpointGroups = Object.fromEntries(regions.map((r) => [r, { attrEndpointGroupArn: this.endpointGroupArn(r) }]));
  }

  /**
   * The ARN of `region`'s endpoint group (what the failover engine's config names).
   * @throws when `region` is not one of the endpoints' regions.
   */
  endpointGroupArn(region: string): string {
    if (!this.regions.includes(region))
      throw new Error(`${this.node.path}: no endpoint group in ${region}; the endpoints are in ${this.regions.join(', ')}`);
    return this.endpointGroupsResource.getAttString(`EndpointGroupArn.${region}`);
  }

  /**
   * The endpoint groups' custom resource and its provider: a Lambda (inline Node.js, AWS SDK v3 of
   * the runtime) that may manage endpoint groups on this listener only and read this stack only
   * (its status tells a rollback from a forward update; its resources tell whether another
   * resource holds the groups before a cleanup deletes them).
   */
  private groups(props: GlobalEntryPointProps): CustomResource {
    const scope = new Construct(this, 'EndpointGroups');
    const stack = Stack.of(this);
    const { role, logGroup } = lambdaRoleAndLogs(
      scope,
      'Creates the Global Accelerator endpoint groups; never writes their live weights or dials',
    );
    const listenerArn = this.listener.attrListenerArn;
    // Resource types from the Service Authorization Reference: CreateEndpointGroup and
    // ListEndpointGroups act on the listener, Update/DeleteEndpointGroup on the endpoint group,
    // whose ARN is the listener's followed by /endpoint-group/<id> (ids are made at creation).
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsglobalaccelerator.html
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListenerGroups',
        actions: ['globalaccelerator:CreateEndpointGroup', 'globalaccelerator:ListEndpointGroups'],
        resources: [listenerArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ChangeGroups',
        actions: ['globalaccelerator:UpdateEndpointGroup', 'globalaccelerator:DeleteEndpointGroup'],
        resources: [`${listenerArn}/endpoint-group/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnStack',
        actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
        resources: [stack.stackId],
      }),
    );
    acknowledge(
      role,
      [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.listener)}.ListenerArn>/endpoint-group/*]`],
      "Endpoint group ids are made by Global Accelerator when the provider creates the groups; the wildcard is pinned to the groups of this stack's one listener.",
    );
    const handler = new lambda.Function(scope, 'Function', {
      // Plain CommonJS and the runtime's own AWS SDK v3: no bundle to pin, so the newest runtime.
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(endpointGroupsHandlerCode()),
      timeout: Duration.minutes(2),
      role,
      logGroup,
      description: 'Creates the Global Accelerator endpoint groups and keeps their live weights and dials (see GlobalEntryPoint)',
    });
    const serving = props.endpoints.find((e) => e.serving)?.region ?? '';
    const resource = new CustomResource(scope, 'Resource', {
      resourceType: 'Custom::EndpointGroups',
      serviceToken: handler.functionArn,
      properties: {
        ListenerArn: listenerArn,
        ServingRegion: serving,
        // No health settings on the groups: "For Network Load Balancer and Application Load
        // Balancer endpoints, configure health check settings on the ELB console" — Global
        // Accelerator routes an ALB endpoint by the ALB's target health (healthy while each
        // target group has a healthy target) and ignores the group's protocol, port, path,
        // interval and threshold. The target group's checks (AppTier: every 5 s, 2 to fail) count.
        // https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-health-check-options.html
        Endpoints: props.endpoints.map((e) => ({ Region: e.region, EndpointId: e.loadBalancerArn })),
        CheckServingRegion: props.trafficGuard === false ? 'false' : 'true',
      },
    });
    // Deleting the groups needs the role: keep its policy until the resource is gone.
    resource.node.addDependency(role);
    return resource;
  }

  /** The accelerator's DNS name: the address users reach. */
  get dnsName(): string {
    return this.accelerator.attrDnsName;
  }
}
