import { Stack, Token } from 'aws-cdk-lib';
import * as ga from 'aws-cdk-lib/aws-globalaccelerator';
import { Construct } from 'constructs';
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
   */
  readonly serving: boolean;
}

/** Props of {@link GlobalEntryPoint}. */
export interface GlobalEntryPointProps {
  /** @default the construct path */
  readonly acceleratorName?: string;
  /** Both regions' endpoints. */
  readonly endpoints: readonly RegionalEndpoint[];
  /** @default '/ref' */
  readonly healthCheckPath?: string;
  /**
   * Global Accelerator health check interval: 10 or 30 seconds. For ALB endpoints Global
   * Accelerator follows the ALB's own target health instead, so this matters for other endpoint
   * types only.
   * @default 10
   */
  readonly healthCheckIntervalSeconds?: 10 | 30;
  /** Consecutive checks to change an endpoint's health. @default 3 */
  readonly healthCheckThreshold?: number;
}

/** Weight of a serving endpoint: Global Accelerator's default. */
const SERVING_WEIGHT = 128;

/**
 * The global entry point: a Global Accelerator with one TCP listener on port 80 and an endpoint
 * group per region on its ALB, health-checked on the app's health path, with client IPs
 * preserved. Must be deployed in us-west-2, where Global Accelerator's control plane lives.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-traffic-dial.html
 */
export class GlobalEntryPoint extends Construct {
  readonly accelerator: ga.CfnAccelerator;
  readonly listener: ga.CfnListener;
  /** Endpoint groups by region. */
  readonly endpointGroups: Readonly<Record<string, ga.CfnEndpointGroup>>;

  constructor(scope: Construct, id: string, props: GlobalEntryPointProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const path = props.healthCheckPath ?? '/ref';
    const regions = props.endpoints.map((e) => e.region);
    validateProps(this, [
      { failed: !Token.isUnresolved(region) && region !== 'us-west-2', message: `a Global Accelerator stack must be in us-west-2; this one is in ${region}` },
      { failed: props.endpoints.length !== 2, message: `endpoints must name exactly two regions; got ${props.endpoints.length}` },
      { failed: new Set(regions).size !== regions.length, message: `endpoints must be in different regions; got ${regions.join(', ')}` },
      { failed: props.endpoints.filter((e) => e.serving).length !== 1, message: 'exactly one endpoint must be serving' },
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
    ]);

    this.accelerator = new ga.CfnAccelerator(this, 'Accelerator', { name: props.acceleratorName ?? this.node.path.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64), enabled: true, ipAddressType: 'IPV4' });
    this.listener = new ga.CfnListener(this, 'Listener', { acceleratorArn: this.accelerator.attrAcceleratorArn, protocol: 'TCP', portRanges: [{ fromPort: 80, toPort: 80 }], clientAffinity: 'NONE' });
    const groups: Record<string, ga.CfnEndpointGroup> = {};
    for (const endpoint of props.endpoints) {
      groups[endpoint.region] = new ga.CfnEndpointGroup(this, `Group-${endpoint.region}`, {
        listenerArn: this.listener.attrListenerArn,
        endpointGroupRegion: endpoint.region,
        trafficDialPercentage: endpoint.serving ? 100 : 0,
        healthCheckProtocol: 'HTTP',
        healthCheckPort: 80,
        healthCheckPath: path,
        healthCheckIntervalSeconds: props.healthCheckIntervalSeconds ?? 10,
        thresholdCount: props.healthCheckThreshold ?? 3,
        endpointConfigurations: [{ endpointId: endpoint.loadBalancerArn, weight: endpoint.serving ? SERVING_WEIGHT : 0, clientIpPreservationEnabled: true }],
      });
    }
    this.endpointGroups = groups;
  }

  /** The accelerator's DNS name: the address users reach. */
  get dnsName(): string {
    return this.accelerator.attrDnsName;
  }
}
