/**
 * Networking: NAT gateways, Elastic IPs, VPC endpoints, load balancers, flow logs.
 */
import { CostReportError } from '../errors.js';
import { HOURS_PER_MONTH } from '../schedule.js';
import {
  charge,
  fieldPath,
  monthOf,
  prop,
  referencedId,
  serving,
  steady,
  total,
  uncounted,
  type RuleContext,
  type RuleLine,
} from './context.js';

/**
 * A NAT gateway bills every hour it exists, and its Elastic IP bills as a public IPv4 address
 * (since 2024-02-01, service-managed addresses included); a private NAT gateway has none.
 * Data processed ($/GB) is usage and not counted.
 * @see https://aws.amazon.com/vpc/pricing/
 */
export function natGateway(ctx: RuleContext): readonly RuleLine[] {
  const isPrivate = prop(ctx, 'ConnectivityType') === 'private';
  const secondary = prop(ctx, 'SecondaryAllocationIds');
  const addresses = isPrivate ? 0 : 1 + (Array.isArray(secondary) ? secondary.length : 0);
  const charges = [monthOf(ctx.price('nat-gateway-hour'))];
  if (addresses > 0) charges.push(monthOf(ctx.price('public-ipv4-hour'), addresses, `${addresses} public IPv4 × ${HOURS_PER_MONTH} h`));
  const line = steady(charges);
  return [{ ...line, basis: `${line.basis}; data processed per GB not counted (usage)` }];
}

/** An Elastic IP bills as a public IPv4 address, unless a NAT gateway's line already counts it. */
export function elasticIp(ctx: RuleContext): readonly RuleLine[] {
  const nat = Object.entries(ctx.stack.resources).find(
    ([, r]) => r.Type === 'AWS::EC2::NatGateway' && referencedId(r.Properties?.AllocationId) === ctx.logicalId,
  );
  if (nat) return [uncounted('free', `counted with NAT gateway ${nat[0]}`)];
  return [steady([monthOf(ctx.price('public-ipv4-hour'))])];
}

/**
 * An interface endpoint bills per AZ it has a network interface in (one per subnet) per hour;
 * a gateway endpoint (S3, DynamoDB) has no charge.
 * @see https://aws.amazon.com/privatelink/pricing/
 */
export function vpcEndpoint(ctx: RuleContext): readonly RuleLine[] {
  const type = prop(ctx, 'VpcEndpointType') ?? 'Gateway';
  if (type === 'Gateway') return [uncounted('free', 'gateway endpoint: no hourly or data charge')];
  if (type !== 'Interface') return [uncounted('not-priced', `${String(type)} endpoint: no price in the table`)];
  const subnets = prop(ctx, 'SubnetIds');
  if (!Array.isArray(subnets) || subnets.length === 0)
    throw new CostReportError(`${fieldPath(ctx, 'SubnetIds')} must list the endpoint's subnets (one network interface, one AZ-hour each)`);
  const line = steady([monthOf(ctx.price('interface-endpoint-az-hour'), subnets.length, `${subnets.length} AZ × ${HOURS_PER_MONTH} h`)]);
  return [{ ...line, basis: `${line.basis}; data processed per GB not counted (usage)` }];
}

/**
 * An Application Load Balancer bills per hour and per LCU-hour; an internet-facing one also has
 * a public IPv4 address in each of its subnets (one per AZ). LCUs are usage: an assumption.
 * @see https://aws.amazon.com/elasticloadbalancing/pricing/
 */
export function loadBalancer(ctx: RuleContext): readonly RuleLine[] {
  const type = prop(ctx, 'Type') ?? 'application';
  if (type !== 'application') return [uncounted('not-priced', `${String(type)} load balancer: no price in the table`)];
  const subnets = prop(ctx, 'Subnets') ?? prop(ctx, 'SubnetMappings');
  const internetFacing = (prop(ctx, 'Scheme') ?? 'internet-facing') === 'internet-facing';
  if (internetFacing && (!Array.isArray(subnets) || subnets.length === 0))
    throw new CostReportError(
      `${fieldPath(ctx, 'Subnets')} must list the subnets of an internet-facing load balancer (one public IPv4 each)`,
    );
  const fixed = [monthOf(ctx.price('alb-hour'))];
  if (internetFacing && Array.isArray(subnets))
    fixed.push(
      monthOf(ctx.price('public-ipv4-hour'), subnets.length, `${subnets.length} public IPv4 (one per subnet) × ${HOURS_PER_MONTH} h`),
    );
  const lcu = (serves: boolean) => (serves ? ctx.assumptions.albLcuServing : ctx.assumptions.albLcuDark);
  const lcuCharge = (serves: boolean) =>
    charge(
      ctx.price('alb-lcu-hour'),
      lcu(serves) * HOURS_PER_MONTH,
      `assumed ${lcu(serves)} LCU ${serves ? 'while serving' : 'while dark'}`,
    );
  const idle = total([...fixed, lcuCharge(serving(ctx, 'idle'))]);
  const failover = total([...fixed, lcuCharge(serving(ctx, 'failover'))]);
  const basis = idle.text === failover.text ? idle.text : `idle: ${idle.text}; failover: ${failover.text}`;
  return [
    { kind: 'priced', idleUsd: idle.usd, failoverUsd: failover.usd, basis: `${internetFacing ? 'internet-facing' : 'internal'}: ${basis}` },
  ];
}

/**
 * Flow logs delivered to CloudWatch Logs bill as log ingestion (vended logs); their volume is
 * usage: an assumption, more while the region serves. Delivered to S3 they are not counted.
 * @see https://aws.amazon.com/cloudwatch/pricing/
 */
export function flowLog(ctx: RuleContext): readonly RuleLine[] {
  const destination = prop(ctx, 'LogDestinationType') ?? 'cloud-watch-logs';
  if (destination !== 'cloud-watch-logs') return [uncounted('usage', `delivered to ${String(destination)}: volume is usage, not counted`)];
  const gb = (serves: boolean) => (serves ? ctx.assumptions.flowLogGbServing : ctx.assumptions.flowLogGbDark);
  const idleGb = gb(serving(ctx, 'idle'));
  const failoverGb = gb(serving(ctx, 'failover'));
  const logGroup = referencedId(prop(ctx, 'LogGroupName'));
  if (logGroup) ctx.addLogIngestion(logGroup, idleGb, failoverGb);
  const price = ctx.price('logs-ingest-gb');
  const idle = charge(price, idleGb, 'assumed flow-log volume');
  const failover = charge(price, failoverGb, 'assumed flow-log volume');
  return [
    {
      kind: 'priced',
      idleUsd: idle.usd,
      failoverUsd: failover.usd,
      basis: idleGb === failoverGb ? idle.text : `idle: ${idle.text}; failover: ${failover.text}`,
    },
  ];
}
