/**
 * The report as a readable table (per region) and as the markdown section of the constructs README.
 */
import type { CostLine, CostReport } from './report.js';

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Pads columns to their widest cell. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const shortType = (type: string) => type.replace(/^AWS::/, '');
const excludedNote = (l: CostLine) =>
  l.excluded === 'replica-database' ? ' [replica DB]' : l.excluded === 'global-accelerator' ? ' [Global Accelerator]' : '';

/** Lines that cost something first (dearest first), then the uncounted ones. */
const byCost = (a: CostLine, b: CostLine) =>
  b.failoverUsd + b.idleUsd - (a.failoverUsd + a.idleUsd) || a.logicalId.localeCompare(b.logicalId);

/** The text report: per region a table of resources, then the totals. */
export function formatText(report: CostReport, options: { readonly freeTiers?: boolean } = {}): string {
  const out: string[] = [
    `Monthly cost at list prices (${report.hoursPerMonth} h a month); primary ${report.primaryRegion}, DR ${report.drRegion}.`,
    '',
  ];
  for (const region of report.regions) {
    out.push(
      `== ${region.region}${region.region === report.drRegion ? ' (DR)' : ''}: idle ${usd(region.idleUsd)}, failover ${usd(region.failoverUsd)}`,
    );
    const lines = report.lines.filter((l) => l.region === region.region).sort(byCost);
    out.push(
      table(
        ['stack/resource', 'type', 'idle', 'failover', 'basis'],
        lines.map((l) => [
          `${l.stack}/${l.logicalId}`,
          shortType(l.type),
          l.kind === 'priced' ? usd(l.idleUsd) : '-',
          l.kind === 'priced' ? usd(l.failoverUsd) : '-',
          `${l.kind === 'priced' ? '' : `${l.kind}: `}${l.basis}${excludedNote(l)}`,
        ]),
      ),
      '',
    );
  }
  out.push('Totals');
  out.push(
    table(
      ['', 'idle', 'failover'],
      [
        ...report.stacks.map((s) => [`stack ${s.stack} (${s.region})`, usd(s.idleUsd), usd(s.failoverUsd)]),
        ...report.regions.map((r) => [`region ${r.region}`, usd(r.idleUsd), usd(r.failoverUsd)]),
      ],
    ),
  );
  out.push('');
  out.push(
    `DR region ${report.drRegion} idle, without the replica database and Global Accelerator: ${usd(report.drIdleExcludingReplicaAndAccelerator)}`,
  );
  out.push(`  replica database (apart): ${usd(report.drReplicaDatabaseUsd)}; Global Accelerator (apart): ${usd(report.acceleratorUsd)}`);
  out.push(`DR region ${report.drRegion} during a failover (everything in it): ${usd(report.drFailoverUsd)}`);
  if (options.freeTiers) {
    out.push('', 'Free tiers (not subtracted):');
    for (const tier of report.freeTiers) out.push(`  ${tier.service}: ${tier.allowance} (${tier.source})`);
  }
  return out.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** Lines of the same type, figures and basis, as one row with a count (eleven readiness alarms read as one). */
function groupAlike(lines: readonly CostLine[]): { readonly first: CostLine; readonly count: number }[] {
  const groups = new Map<string, { first: CostLine; count: number }>();
  for (const line of lines) {
    const key = `${line.type}|${line.idleUsd}|${line.failoverUsd}|${line.basis}|${line.excluded ?? ''}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { first: line, count: 1 });
  }
  return [...groups.values()];
}

/** The "What it costs" section of the constructs README: the DR region's lines, the totals and the prices with their sources. */
export function formatMarkdown(report: CostReport, command: string): string {
  const dr = report.lines.filter((l) => l.region === report.drRegion).sort(byCost);
  const priced = dr.filter((l) => l.kind === 'priced');
  const uncounted = dr.filter((l) => l.kind !== 'priced');
  const out: string[] = [
    '## What it costs',
    '',
    `What the reference app's templates cost a month at list prices (on-demand, ${report.hoursPerMonth} h a month, no free tier subtracted), computed by \`tools/cost-report\` from the synthesized templates; regenerate this section with`,
    '',
    '```sh',
    command,
    '```',
    '',
    `The DR region (${report.drRegion}) idle, without the replica database and Global Accelerator: **${usd(report.drIdleExcludingReplicaAndAccelerator)}** a month; the replica database ${usd(report.drReplicaDatabaseUsd)} and Global Accelerator ${usd(report.acceleratorUsd)} apart. During a failover (the DR region serving at the capacity the templates declare): **${usd(report.drFailoverUsd)}** a month.`,
    '',
    '| region | idle | failover |',
    '|---|---:|---:|',
    ...report.regions.map(
      (r) => `| ${r.region}${r.region === report.drRegion ? ' (DR)' : ''} | ${usd(r.idleUsd)} | ${usd(r.failoverUsd)} |`,
    ),
    '',
    `### ${report.drRegion}, per resource`,
    '',
    '| resource | type | idle | failover | basis |',
    '|---|---|---:|---:|---|',
    ...groupAlike(priced).map(({ first, count }) =>
      count === 1
        ? `| ${cell(`${first.stack}/${first.logicalId}`)}${excludedNote(first)} | ${shortType(first.type)} | ${usd(first.idleUsd)} | ${usd(first.failoverUsd)} | ${cell(first.basis)} |`
        : `| ${count} alike, such as ${cell(`${first.stack}/${first.logicalId}`)} | ${shortType(first.type)} | ${usd(first.idleUsd * count)} | ${usd(first.failoverUsd * count)} | each: ${cell(first.basis)} |`,
    ),
    '',
    `Not counted in ${report.drRegion}: ${uncounted.length} resources that are free, usage-dependent (S3 storage, SNS, ECR, deploy-time functions) or of a type no rule prices (\`--json\` lists each with its reason).`,
    '',
    '### Prices',
    '',
    '| price | region | USD | unit | source (read) |',
    '|---|---|---:|---|---|',
    ...report.pricesUsed.map((p) => `| ${p.key} | ${p.region} | ${p.usd} | ${cell(p.unit)} | ${cell(p.source)} (${p.read}) |`),
    '',
    'RDS prices come from `@dr/failover-core` (`src/cost/rds-prices.ts`). Free tiers, stated and not subtracted: ' +
      report.freeTiers.map((t) => `${t.service}: ${t.allowance}`).join('; ') +
      '.',
    '',
    'Assumptions (usage the templates do not declare; `tools/cost-report/src/assumptions.ts`): ' +
      Object.entries(report.assumptions)
        .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
        .join('; ') +
      '. Regions other than the DR region keep their idle figure in the failover column.',
    '',
  ];
  return out.join('\n');
}
