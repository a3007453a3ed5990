/**
 * Compute: Auto Scaling groups (instances and their volumes) and scheduled Lambda functions.
 */
import type { StackTemplate, TemplateResource } from '../assembly.js';
import { CostReportError, NoPriceError } from '../errors.js';
import { instanceHourKey, volumeGbMonthKey } from '../prices.js';
import { HOURS_PER_MONTH, invocationsPerMonth } from '../schedule.js';
import {
  charge,
  fieldPath,
  literalNumber,
  monthOf,
  prop,
  referencedId,
  total,
  uncounted,
  type Charge,
  type RuleContext,
  type RuleLine,
} from './context.js';

/** The instances a group runs: the template's desired capacity, else its minimum (a pilot light's dark state is MinSize 0). */
function declaredCapacity(resource: TemplateResource, where: string): number {
  const props = resource.Properties ?? {};
  const field = props.DesiredCapacity !== undefined ? 'DesiredCapacity' : 'MinSize';
  const value = Number(props[field]);
  if (props[field] === undefined || !Number.isFinite(value))
    throw new CostReportError(`${where}.${field} is ${JSON.stringify(props[field])}: the report needs a literal number there`);
  return value;
}

/** The primary region's group the DR group takes over from: the same logical id, else the only group there. */
function primaryGroup(ctx: RuleContext): { readonly id: string; readonly resource: TemplateResource } {
  const groups = ctx.assembly
    .filter((s) => s.region === ctx.primaryRegion)
    .flatMap((s) =>
      Object.entries(s.resources)
        .filter(([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup')
        .map(([id, resource]) => ({ id: `${s.name}/${id}`, logicalId: id, resource })),
    );
  const match = groups.find((g) => g.logicalId === ctx.logicalId) ?? (groups.length === 1 ? groups[0] : undefined);
  if (!match)
    throw new CostReportError(
      `${ctx.stack.name}/${ctx.logicalId}: cannot tell which Auto Scaling group of ${ctx.primaryRegion} it takes over (${groups.length} groups there, none with the same logical id)`,
    );
  return match;
}

/**
 * A group's instances × the launch template's instance type, plus each instance's EBS volumes.
 * Idle, the group runs what its template declares; in a failover the DR group serves at the
 * primary group's capacity (desired, else minimum), capped by its own MaxSize.
 * @see https://aws.amazon.com/ec2/pricing/on-demand/
 * @see https://aws.amazon.com/ebs/pricing/
 */
export function autoScalingGroup(ctx: RuleContext): readonly RuleLine[] {
  const spec = prop(ctx, 'LaunchTemplate') as { LaunchTemplateId?: unknown } | undefined;
  const templateId = referencedId(spec?.LaunchTemplateId);
  const launchTemplate = templateId ? ctx.stack.resources[templateId] : undefined;
  if (!launchTemplate || launchTemplate.Type !== 'AWS::EC2::LaunchTemplate')
    throw new CostReportError(
      `${fieldPath(ctx, 'LaunchTemplate.LaunchTemplateId')} must refer to an AWS::EC2::LaunchTemplate of the same stack (launch configurations and mixed instances policies are not priced)`,
    );
  const data = (launchTemplate.Properties?.LaunchTemplateData ?? {}) as { InstanceType?: unknown; BlockDeviceMappings?: unknown };
  const instanceType = data.InstanceType;
  if (typeof instanceType !== 'string')
    throw new CostReportError(
      `${ctx.stack.name}/${templateId}.LaunchTemplateData.InstanceType is ${JSON.stringify(instanceType)}: the report needs a literal instance type`,
    );

  const idle = declaredCapacity(ctx.resource, `${ctx.stack.name}/${ctx.logicalId}`);
  let failover = idle;
  let failoverNote = 'as declared';
  if (ctx.stack.region === ctx.drRegion) {
    const primary = primaryGroup(ctx);
    const wanted = declaredCapacity(primary.resource, primary.id);
    const max = literalNumber(ctx, 'MaxSize', prop(ctx, 'MaxSize'));
    failover = Math.min(wanted, max);
    failoverNote = `serving at ${primary.id}'s capacity ${wanted}${wanted > max ? `, capped by MaxSize ${max}` : ''}`;
  }
  if (idle === 0 && failover === 0) return [uncounted('free', `0 instances idle and in a failover (${instanceType})`)];

  const hourKey = instanceHourKey(instanceType);
  if (!hourKey) throw new NoPriceError(ctx.stack.region, `ec2-${instanceType}-hour`, `${ctx.stack.name}/${ctx.logicalId}`);
  const hour = ctx.price(hourKey);
  const volumes: { size: number; price: ReturnType<RuleContext['price']> }[] = [];
  const mappings = Array.isArray(data.BlockDeviceMappings)
    ? (data.BlockDeviceMappings as { Ebs?: { VolumeSize?: unknown; VolumeType?: unknown; Iops?: unknown; Throughput?: unknown } }[])
    : [];
  for (const [i, mapping] of mappings.entries()) {
    if (!mapping.Ebs) continue;
    const where = `${ctx.stack.name}/${templateId}.LaunchTemplateData.BlockDeviceMappings[${i}].Ebs`;
    const size = Number(mapping.Ebs.VolumeSize);
    if (!Number.isFinite(size))
      throw new CostReportError(`${where}.VolumeSize is ${JSON.stringify(mapping.Ebs.VolumeSize)}: the report needs a literal size`);
    const volumeType = typeof mapping.Ebs.VolumeType === 'string' ? mapping.Ebs.VolumeType : 'gp2';
    // gp3 includes 3,000 IOPS and 125 MB/s; more is billed separately and has no price here.
    if (
      (mapping.Ebs.Iops !== undefined && Number(mapping.Ebs.Iops) > 3000) ||
      (mapping.Ebs.Throughput !== undefined && Number(mapping.Ebs.Throughput) > 125)
    )
      throw new NoPriceError(ctx.stack.region, `ebs-${volumeType}-provisioned-iops-or-throughput`, where);
    const key = volumeGbMonthKey(volumeType);
    if (!key) throw new NoPriceError(ctx.stack.region, `ebs-${volumeType}-gb-month`, where);
    volumes.push({ size, price: ctx.price(key) });
  }
  const charges = (count: number, note: string): Charge[] => [
    monthOf(hour, count, `${count} instances × ${HOURS_PER_MONTH} h, ${note}`),
    ...volumes.map((v) => charge(v.price, count * v.size, `${count} × ${v.size} GB volume`)),
  ];
  const idleTotal = total(charges(idle, 'as declared'));
  const failoverTotal = total(charges(failover, failoverNote));
  const rootNote = volumes.length === 0 ? '; root volume from the AMI, size unknown: not counted' : '';
  return [
    {
      kind: 'priced',
      idleUsd: idleTotal.usd,
      failoverUsd: failoverTotal.usd,
      basis: `${instanceType}: idle ${idleTotal.text}; failover ${failoverTotal.text}${rootNote}`,
    },
  ];
}

/** How often a function runs on a schedule: every enabled EventBridge rule or schedule of its stack that targets it. */
export function scheduledInvocations(
  stack: StackTemplate,
  functionId: string,
): { readonly perMonth: number; readonly expressions: readonly string[] } {
  const expressions: string[] = [];
  for (const resource of Object.values(stack.resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::Events::Rule' && typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
      const targets = Array.isArray(p.Targets) ? (p.Targets as { Arn?: unknown }[]) : [];
      if (targets.some((t) => referencedId(t.Arn) === functionId)) expressions.push(p.ScheduleExpression);
    }
    if (resource.Type === 'AWS::Scheduler::Schedule' && typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
      if (referencedId((p.Target as { Arn?: unknown } | undefined)?.Arn) === functionId) expressions.push(p.ScheduleExpression);
    }
  }
  return { perMonth: expressions.reduce((sum, e) => sum + invocationsPerMonth(e), 0), expressions };
}

/**
 * Calls to a function that a scheduled probing function (one with `DR_PROBE_WINDOW_SECONDS`)
 * names in its environment, such as the health record reader the failover controller invokes
 * once per detection round: the caller's invocations × its window × the calls per second assumed.
 */
function calledByProbingFunction(ctx: RuleContext): { readonly perMonth: number; readonly expressions: readonly string[] } | undefined {
  for (const [id, resource] of Object.entries(ctx.stack.resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || id === ctx.logicalId) continue;
    const env = environmentOf(resource);
    const window = env.DR_PROBE_WINDOW_SECONDS;
    if (window === undefined || !Object.values(env).some((v) => referencedId(v) === ctx.logicalId)) continue;
    const caller = scheduledInvocations(ctx.stack, id);
    const perMonth = caller.perMonth * Number(window) * ctx.assumptions.calleeCallsPerProbeSecond;
    return {
      perMonth,
      expressions: [
        `${id}'s ${window} s windows (${caller.expressions.join(', ')}), one call per ${Math.round(1 / ctx.assumptions.calleeCallsPerProbeSecond)} s`,
      ],
    };
  }
  return undefined;
}

/** The function's environment variables (literal or not). */
export function environmentOf(resource: TemplateResource): Readonly<Record<string, unknown>> {
  return ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
    string,
    unknown
  >;
}

/**
 * A scheduled function: requests, GB-seconds at its memory and architecture (arm64 is 20%
 * cheaper), its log ingestion and the custom metrics it publishes through EMF (prorated by the
 * hours it publishes in). Billed duration: `DR_PROBE_WINDOW_SECONDS` when set (the failover
 * controller probes that long every invocation), else an assumption per function.
 * A function with no schedule runs at deploy time or on events: usage, not counted.
 * @see https://aws.amazon.com/lambda/pricing/
 */
export function lambdaFunction(ctx: RuleContext): readonly RuleLine[] {
  const called = calledByProbingFunction(ctx);
  const schedule = called ?? scheduledInvocations(ctx.stack, ctx.logicalId);
  if (schedule.perMonth === 0) return [uncounted('usage', 'no schedule: runs at deploy time (custom resource) or on events; not counted')];
  const env = environmentOf(ctx.resource);
  const memoryMb = prop(ctx, 'MemorySize') === undefined ? 128 : literalNumber(ctx, 'MemorySize', prop(ctx, 'MemorySize'));
  const architectures = prop(ctx, 'Architectures');
  const architecture = Array.isArray(architectures) && architectures[0] === 'arm64' ? 'arm64' : 'x86_64';
  const service = typeof env.POWERTOOLS_SERVICE_NAME === 'string' ? env.POWERTOOLS_SERVICE_NAME : undefined;
  const probeWindow = env.DR_PROBE_WINDOW_SECONDS;
  const seconds = called
    ? ctx.assumptions.calleeSeconds
    : probeWindow !== undefined
      ? literalNumber(ctx, 'Environment.Variables.DR_PROBE_WINDOW_SECONDS', probeWindow)
      : (service && ctx.assumptions.lambdaSecondsByService[service]) || ctx.assumptions.lambdaSecondsDefault;
  const secondsWhy = called
    ? 'assumed per call'
    : probeWindow !== undefined
      ? 'DR_PROBE_WINDOW_SECONDS'
      : service && ctx.assumptions.lambdaSecondsByService[service]
        ? `assumed for ${service}`
        : 'assumed';
  const invocations = schedule.perMonth;
  const gbSeconds = invocations * seconds * (memoryMb / 1024);

  const charges: Charge[] = [
    charge(
      ctx.price('lambda-request-million'),
      invocations / 1e6,
      `${Math.round(invocations).toLocaleString('en-US')} invocations from ${schedule.expressions.join(', ')}`,
    ),
    charge(
      ctx.price(architecture === 'arm64' ? 'lambda-gb-second-arm64' : 'lambda-gb-second-x86_64'),
      gbSeconds,
      `${seconds} s ${secondsWhy} × ${memoryMb} MB ${architecture}`,
    ),
  ];
  const logGb = (invocations * ctx.assumptions.lambdaLogBytesPerInvocation) / 1e9;
  charges.push(
    charge(ctx.price('logs-ingest-gb'), logGb, `assumed ${ctx.assumptions.lambdaLogBytesPerInvocation} B of logs per invocation`),
  );
  const logGroup = referencedId((prop(ctx, 'LoggingConfig') as { LogGroup?: unknown } | undefined)?.LogGroup);
  if (logGroup) ctx.addLogIngestion(logGroup, logGb, logGb);
  const metrics = service ? (ctx.assumptions.emfMetricsByService[service] ?? 0) : 0;
  if (metrics > 0) {
    const hours = Math.min(HOURS_PER_MONTH, invocations);
    charges.push(
      charge(
        ctx.price('cw-custom-metric-month'),
        (metrics * hours) / HOURS_PER_MONTH,
        `assumed ${metrics} EMF metrics, published in ${Math.round(hours)} of ${HOURS_PER_MONTH} h`,
      ),
    );
  }
  const { usd, text } = total(charges);
  return [{ kind: 'priced', idleUsd: usd, failoverUsd: usd, basis: text }];
}
