/**
 * The cost report: every resource of every stack through its rule, then totals per stack and
 * region, and the issue's figure (the DR region idle without the replica database and Global
 * Accelerator).
 */
import type { StackTemplate, TemplateResource } from './assembly.js';
import { DEFAULT_ASSUMPTIONS, type Assumptions } from './assumptions.js';
import { CostReportError } from './errors.js';
import { FREE_TIERS, PRICES, priceOf, type FreeTier, type PriceEntry, type PriceKey, type PriceUsed } from './prices.js';
import { isSecondaryCluster } from './rules/aurora.js';
import { NO_CHARGE_RULES, RULES } from './rules/index.js';
import { customMetrics, customMetricsOf, logGroup } from './rules/observability.js';
import { uncounted, type Exclusion, type LineKind, type RuleContext, type RuleLine } from './rules/context.js';
import { HOURS_PER_MONTH } from './schedule.js';

/** One line of the report: a resource (or part of one) and what it costs a month. */
export interface CostLine {
  readonly stack: string;
  /** The region billed. */
  readonly region: string;
  readonly logicalId: string;
  readonly type: string;
  readonly kind: LineKind;
  /** USD a month with the pilot light dark, rounded to cents. */
  readonly idleUsd: number;
  /** USD a month while the DR region serves, rounded to cents. */
  readonly failoverUsd: number;
  readonly basis: string;
  readonly excluded?: Exclusion;
}

/** Totals of a stack or region. */
export interface Totals {
  readonly idleUsd: number;
  readonly failoverUsd: number;
}

/** The whole report, as `--json` prints it. */
export interface CostReport {
  readonly hoursPerMonth: number;
  readonly primaryRegion: string;
  readonly drRegion: string;
  readonly lines: readonly CostLine[];
  readonly stacks: readonly (Totals & { readonly stack: string; readonly region: string })[];
  readonly regions: readonly (Totals & { readonly region: string })[];
  /** The figure: the DR region idle, without the replica database and Global Accelerator. */
  readonly drIdleExcludingReplicaAndAccelerator: number;
  /** The DR region's replica database, idle (reported apart). */
  readonly drReplicaDatabaseUsd: number;
  /** Global Accelerator, wherever its stack is (reported apart). */
  readonly acceleratorUsd: number;
  /** The DR region while it serves, everything included. */
  readonly drFailoverUsd: number;
  readonly assumptions: Assumptions;
  readonly pricesUsed: readonly PriceUsed[];
  readonly freeTiers: readonly FreeTier[];
}

/** What the report is asked for. */
export interface ReportOptions {
  /** The DR region; by default the region of the assembly's RDS read replica. */
  readonly drRegion?: string;
  /** The primary region; by default the replica's source region. */
  readonly primaryRegion?: string;
  /** Only these regions' lines and totals (each must have a line). */
  readonly regions?: readonly string[];
  readonly assumptions?: Assumptions;
  /** The price table (tests pass a smaller one). */
  readonly prices?: Readonly<Record<string, PriceEntry>>;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The DR and primary regions: given, or read from the read replica (its stack's region, its
 * SourceRegion), or from the global database (its secondary cluster's region, and the region of
 * the `AWS::RDS::GlobalCluster`, which is made from the primary cluster).
 */
function regionsOf(
  stacks: readonly StackTemplate[],
  options: ReportOptions,
): { readonly drRegion: string; readonly primaryRegion: string } {
  const replica = stacks.flatMap((s) =>
    Object.values(s.resources)
      .filter((r) => r.Type === 'AWS::RDS::DBInstance' && r.Properties?.SourceDBInstanceIdentifier !== undefined)
      .map((r) => ({ stack: s, resource: r })),
  )[0];
  const regionOf = (test: (r: TemplateResource) => boolean) => stacks.find((s) => Object.values(s.resources).some(test))?.region;
  const drRegion = options.drRegion ?? replica?.stack.region ?? regionOf(isSecondaryCluster);
  if (!drRegion)
    throw new CostReportError(
      'cannot tell the DR region: the assembly has no RDS read replica nor global database secondary; pass --dr-region',
    );
  const sourceRegion = replica?.resource.Properties?.SourceRegion ?? regionOf((r) => r.Type === 'AWS::RDS::GlobalCluster');
  const others = [...new Set(stacks.map((s) => s.region).filter((r) => r !== drRegion))];
  const primaryRegion =
    options.primaryRegion ?? (typeof sourceRegion === 'string' ? sourceRegion : others.length === 1 ? others[0] : undefined);
  if (!primaryRegion) throw new CostReportError(`cannot tell the primary region (regions: ${others.join(', ')}); pass --primary-region`);
  return { drRegion, primaryRegion };
}

/** Computes the report over the stacks of an assembly. */
export function buildReport(stacks: readonly StackTemplate[], options: ReportOptions = {}): CostReport {
  const { drRegion, primaryRegion } = regionsOf(stacks, options);
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const table = options.prices ?? PRICES;
  const used = new Map<string, PriceUsed>();
  const lines: CostLine[] = [];

  for (const stack of stacks) {
    const ingestion = new Map<string, { idleGb: number; failoverGb: number }>();
    const contextFor = (logicalId: string): RuleContext => {
      const resource = stack.resources[logicalId] ?? { Type: '(synthetic)' };
      const neededBy = `${stack.name}/${logicalId} (${resource.Type})`;
      return {
        stack,
        logicalId,
        resource,
        assembly: stacks,
        drRegion,
        primaryRegion,
        assumptions,
        price: (key: PriceKey, region = stack.region) => {
          const price = priceOf(key, region, neededBy, table);
          used.set(`${price.key} ${price.region}`, price);
          return price;
        },
        addLogIngestion: (id, idleGb, failoverGb) => {
          const now = ingestion.get(id) ?? { idleGb: 0, failoverGb: 0 };
          ingestion.set(id, { idleGb: now.idleGb + idleGb, failoverGb: now.failoverGb + failoverGb });
        },
        logIngestion: (id) => ingestion.get(id) ?? { idleGb: 0, failoverGb: 0 },
      };
    };
    const push = (logicalId: string, type: string, line: RuleLine) =>
      lines.push({
        stack: stack.name,
        region: line.region ?? stack.region,
        logicalId: line.part ? `${logicalId} (${line.part})` : logicalId,
        type,
        kind: line.kind,
        idleUsd: cents(line.idleUsd),
        failoverUsd: cents(line.failoverUsd),
        basis: line.basis,
        ...(line.excluded ? { excluded: line.excluded } : {}),
      });

    const entries = Object.entries(stack.resources);
    // Log groups last: their storage follows what the functions and flow logs write to them.
    const ordered = [
      ...entries.filter(([, r]) => r.Type !== 'AWS::Logs::LogGroup'),
      ...entries.filter(([, r]) => r.Type === 'AWS::Logs::LogGroup'),
    ];
    for (const [logicalId, resource] of ordered) {
      const ctx = contextFor(logicalId);
      const rule = resource.Type === 'AWS::Logs::LogGroup' ? logGroup : (RULES[resource.Type] ?? NO_CHARGE_RULES[resource.Type]);
      const ruleLines = rule
        ? rule(ctx)
        : resource.Type.startsWith('Custom::')
          ? [uncounted('free', 'custom resource: runs at deploy time; its function is listed')]
          : [uncounted('not-priced', 'no rule for this type: free or not priced')];
      for (const line of ruleLines) push(logicalId, resource.Type, line);
    }
    for (const [namespace, count] of customMetricsOf(stack))
      push(`(metrics ${namespace})`, 'CloudWatch custom metrics', customMetrics(contextFor(`(metrics ${namespace})`), namespace, count));
  }

  const regionFilter = options.regions;
  if (regionFilter) {
    const present = new Set(lines.map((l) => l.region));
    const missing = regionFilter.filter((r) => !present.has(r));
    if (missing.length > 0)
      throw new CostReportError(
        `--regions: nothing is billed in ${missing.join(', ')} (regions of the assembly: ${[...present].join(', ')})`,
      );
  }
  const shown = regionFilter ? lines.filter((l) => regionFilter.includes(l.region)) : lines;
  const sum = (of: readonly CostLine[]): Totals => ({
    idleUsd: cents(of.reduce((s, l) => s + l.idleUsd, 0)),
    failoverUsd: cents(of.reduce((s, l) => s + l.failoverUsd, 0)),
  });
  const stackNames = [...new Set(shown.map((l) => l.stack))];
  const dr = lines.filter((l) => l.region === drRegion);

  return {
    hoursPerMonth: HOURS_PER_MONTH,
    primaryRegion,
    drRegion,
    lines: shown,
    stacks: stackNames.map((name) => ({
      stack: name,
      region: stacks.find((s) => s.name === name)?.region ?? '',
      ...sum(shown.filter((l) => l.stack === name)),
    })),
    regions: [...new Set(shown.map((l) => l.region))].map((region) => ({ region, ...sum(shown.filter((l) => l.region === region)) })),
    drIdleExcludingReplicaAndAccelerator: sum(dr.filter((l) => !l.excluded)).idleUsd,
    drReplicaDatabaseUsd: sum(dr.filter((l) => l.excluded === 'replica-database')).idleUsd,
    acceleratorUsd: sum(lines.filter((l) => l.excluded === 'global-accelerator')).idleUsd,
    drFailoverUsd: sum(dr).failoverUsd,
    assumptions,
    pricesUsed: [...used.values()].sort((a, b) => a.key.localeCompare(b.key) || a.region.localeCompare(b.region)),
    freeTiers: FREE_TIERS,
  };
}
