/**
 * Monitoring and DNS: CloudWatch alarms, dashboards, custom metrics and log groups; Route 53
 * health checks and hosted zones; Global Accelerator.
 */
import type { StackTemplate } from '../assembly.js';
import { HOURS_PER_MONTH } from '../schedule.js';
import {
  charge,
  literalNumber,
  monthOf,
  prop,
  referencedId,
  steady,
  total,
  uncounted,
  type RuleContext,
  type RuleLine,
} from './context.js';

interface MetricStat {
  readonly Metric?: { readonly Namespace?: unknown; readonly MetricName?: unknown; readonly Dimensions?: unknown };
  readonly Period?: unknown;
}

/** The metrics an alarm reads: its one metric, or each `MetricStat` of its metric-math query (expressions are not metrics). */
function alarmMetrics(
  props: Record<string, unknown>,
): { readonly namespace: string; readonly name: string; readonly dimensions: unknown; readonly period: number }[] {
  if (Array.isArray(props.Metrics)) {
    return (props.Metrics as { MetricStat?: MetricStat }[])
      .filter((q) => q.MetricStat)
      .map((q) => ({
        namespace: String(q.MetricStat?.Metric?.Namespace),
        name: String(q.MetricStat?.Metric?.MetricName),
        dimensions: q.MetricStat?.Metric?.Dimensions,
        period: Number(q.MetricStat?.Period ?? 60),
      }));
  }
  return [
    {
      namespace: String(props.Namespace),
      name: String(props.MetricName),
      dimensions: props.Dimensions,
      period: Number(props.Period ?? 60),
    },
  ];
}

/**
 * An alarm bills per metric it evaluates: a metric-math alarm per metric its expression reads.
 * A period under 60 s makes it high-resolution.
 * @see https://aws.amazon.com/cloudwatch/pricing/ (UNCONFIRMED in the stored copies: the per-metric rule of metric-math alarms)
 */
export function alarm(ctx: RuleContext): readonly RuleLine[] {
  const metrics = alarmMetrics(ctx.resource.Properties ?? {});
  const highResolution = metrics.some((m) => m.period < 60);
  const price = ctx.price(highResolution ? 'cw-alarm-metric-month-high-resolution' : 'cw-alarm-metric-month');
  const mathNote = Array.isArray(prop(ctx, 'Metrics')) ? `metric math over ${metrics.length} metric${metrics.length === 1 ? '' : 's'}` : '';
  return [steady([charge(price, metrics.length, mathNote)])];
}

/** A composite alarm bills a flat month; the alarms it combines bill on their own lines. */
export function compositeAlarm(ctx: RuleContext): readonly RuleLine[] {
  return [steady([charge(ctx.price('cw-composite-alarm-month'), 1)])];
}

/** A dashboard bills a month (the first 3 of an account are free: see the free tiers). */
export function dashboard(ctx: RuleContext): readonly RuleLine[] {
  return [steady([charge(ctx.price('cw-dashboard-month'), 1)])];
}

/**
 * The custom metrics (namespace not `AWS/...`) the stack's alarms read, by namespace: someone
 * publishes each (the readiness function publishes one per check), and each distinct
 * name + dimensions is a metric billed a month, assumed published at least hourly.
 */
export function customMetricsOf(stack: StackTemplate): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const resource of Object.values(stack.resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
    for (const m of alarmMetrics(resource.Properties ?? {})) {
      if (m.namespace.startsWith('AWS/')) continue;
      const names = seen.get(m.namespace) ?? new Set<string>();
      names.add(`${m.name} ${JSON.stringify(m.dimensions ?? [])}`);
      seen.set(m.namespace, names);
    }
  }
  return new Map([...seen].map(([ns, names]) => [ns, names.size]));
}

/** The line of a namespace's custom metrics. */
export function customMetrics(ctx: RuleContext, namespace: string, count: number): RuleLine {
  return steady([
    charge(
      ctx.price('cw-custom-metric-month'),
      count,
      `${count} metrics of ${namespace} read by alarms, assumed published at least hourly`,
    ),
  ]);
}

/**
 * A log group's storage: what the stack's functions and flow logs write to it (their lines
 * count the ingestion), kept for its retention (never-expiring groups: a year's worth counted).
 */
export function logGroup(ctx: RuleContext): readonly RuleLine[] {
  const { idleGb, failoverGb } = ctx.logIngestion(ctx.logicalId);
  if (idleGb === 0 && failoverGb === 0)
    return [uncounted('usage', 'written by something the templates do not size (deploy-time custom resources, services): not counted')];
  const retention = prop(ctx, 'RetentionInDays');
  const months = retention === undefined ? 12 : literalNumber(ctx, 'RetentionInDays', retention) / (HOURS_PER_MONTH / 24);
  const kept = Math.min(months, 12 * 100);
  const price = ctx.price('logs-storage-gb-month');
  const idle = charge(
    price,
    idleGb * kept,
    `${idleGb.toPrecision(3)} GB/month kept ${retention === undefined ? 'forever (a year counted)' : `${String(retention)} days`}; ingestion counted on its writers' lines`,
  );
  const failover = charge(price, failoverGb * kept, `${failoverGb.toPrecision(3)} GB/month in a failover`);
  return [
    {
      kind: 'priced',
      idleUsd: idle.usd,
      failoverUsd: failover.usd,
      basis: idleGb === failoverGb ? idle.text : `idle: ${idle.text}; failover: ${failover.text}`,
    },
  ];
}

/** Whether a health check's target is an AWS resource: one the templates resolve (not a literal), or a literal under amazonaws.com. */
function awsEndpoint(config: Record<string, unknown>): boolean {
  const target = config.FullyQualifiedDomainName ?? config.IPAddress;
  return typeof target !== 'string' || /\.amazonaws\.com\.?$/.test(target);
}

/**
 * A health check bills a month, more for a non-AWS endpoint, plus each optional feature: HTTPS,
 * string matching, the fast (10 s) interval, latency measurement.
 * @see https://aws.amazon.com/route53/pricing/
 */
export function healthCheck(ctx: RuleContext): readonly RuleLine[] {
  const config = (prop(ctx, 'HealthCheckConfig') ?? {}) as Record<string, unknown>;
  const type = String(config.Type ?? '');
  const features: string[] = [];
  if (type.startsWith('HTTPS')) features.push('HTTPS');
  if (type.endsWith('STR_MATCH')) features.push('string match');
  if (Number(config.RequestInterval ?? 30) === 10) features.push('10 s interval');
  if (config.MeasureLatency === true) features.push('latency');
  const aws = awsEndpoint(config);
  const charges = [
    charge(
      ctx.price(aws ? 'r53-health-check-month' : 'r53-health-check-month-non-aws'),
      1,
      `${type} check of ${aws ? 'an AWS' : 'a non-AWS'} endpoint`,
    ),
  ];
  if (features.length > 0)
    charges.push(
      charge(
        ctx.price(aws ? 'r53-health-check-feature-month' : 'r53-health-check-feature-month-non-aws'),
        features.length,
        features.join(', '),
      ),
    );
  return [steady(charges)];
}

/**
 * A hosted zone bills a month; its queries are usage, bounded here by one client re-resolving
 * each record name of the stack in the zone as its TTL expires (alias records: not counted).
 * @see https://aws.amazon.com/route53/pricing/
 */
export function hostedZone(ctx: RuleContext): readonly RuleLine[] {
  const ttlByName = new Map<string, number>();
  for (const resource of Object.values(ctx.stack.resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type !== 'AWS::Route53::RecordSet' || referencedId(p.HostedZoneId) !== ctx.logicalId || p.TTL === undefined) continue;
    const name = String(p.Name);
    const ttl = Number(p.TTL);
    ttlByName.set(name, Math.min(ttl, ttlByName.get(name) ?? Number.POSITIVE_INFINITY));
  }
  const queries = [...ttlByName.values()].reduce((sum, ttl) => sum + (HOURS_PER_MONTH * 3600) / Math.max(ttl, 1), 0);
  const charges = [charge(ctx.price('r53-hosted-zone-month'), 1)];
  if (queries > 0)
    charges.push(
      charge(
        ctx.price('r53-query-million'),
        queries / 1e6,
        `at most one query per TTL for ${ttlByName.size} record name(s): an upper bound`,
      ),
    );
  return [steady(charges)];
}

/**
 * An accelerator bills every hour until deleted, enabled or not; data transfer premium is usage.
 * Reported apart: the issue's DR figure leaves it out.
 * @see https://aws.amazon.com/global-accelerator/pricing/
 */
export function accelerator(ctx: RuleContext): readonly RuleLine[] {
  const { usd, text } = total([monthOf(ctx.price('global-accelerator-hour'))]);
  return [
    {
      kind: 'priced',
      idleUsd: usd,
      failoverUsd: usd,
      basis: `${text}; data transfer premium per GB not counted (usage)`,
      excluded: 'global-accelerator',
    },
  ];
}
