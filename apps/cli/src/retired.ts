import { estimateMonthlyCost } from '@dr/failover-core';
import type { Output } from './output.js';

/** A database a failback or rebuild retired (renamed `<id>-retired-<tag>`, kept for reconciliation). */
export interface RetiredRow {
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  readonly instanceClass?: string | null | undefined;
  readonly deletionProtection?: boolean | null | undefined;
  readonly status?: string | undefined;
  readonly allocatedStorageGiB?: number | undefined;
  readonly multiAz?: boolean | undefined;
  /** What it costs a month when already estimated (drills); otherwise estimated here from its class and storage. */
  readonly monthlyUsd?: number | null | undefined;
}

/**
 * How to delete a retired instance once its data is reconciled. Deletion protection (which the
 * retired instance keeps from the constructs) must be turned off first, and a final snapshot
 * keeps its data after the instance is gone.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html
 */
function deleteCommands(r: RetiredRow): string[] {
  const base = `aws rds --region ${r.region}`;
  return [
    ...(r.deletionProtection === false
      ? []
      : [`${base} modify-db-instance --db-instance-identifier ${r.dbInstanceIdentifier} --no-deletion-protection --apply-immediately`]),
    `${base} delete-db-instance --db-instance-identifier ${r.dbInstanceIdentifier} --final-db-snapshot-identifier ${r.dbInstanceIdentifier}-final`,
  ];
}

/** What a retired instance costs a month at list prices, or undefined when there is no price for its class and region. */
function monthlyUsd(r: RetiredRow): number | undefined {
  if (typeof r.monthlyUsd === 'number') return r.monthlyUsd;
  return estimateMonthlyCost({
    region: r.region,
    instanceClass: r.instanceClass ?? undefined,
    allocatedStorageGiB: r.allocatedStorageGiB,
    multiAz: r.multiAz,
  })?.usd;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/**
 * Lists retired instances with their class, deletion protection and what each costs a month at
 * list prices, says that they keep billing, and how to delete them. Prints nothing when there
 * are none.
 */
export function printRetired(
  out: Output,
  rows: readonly RetiredRow[],
  options: { readonly heading?: boolean; readonly howToDelete?: boolean } = {},
): void {
  if (rows.length === 0) return;
  const c = out.color;
  if (options.heading !== false) out.heading(`Retired databases (${rows.length}), kept for reconciliation`);
  for (const r of rows) {
    const protection =
      r.deletionProtection === undefined || r.deletionProtection === null
        ? 'deletion protection unknown'
        : r.deletionProtection
          ? 'deletion protection on'
          : 'deletion protection off';
    const cost = monthlyUsd(r);
    out.line(
      `  ${r.region}  ${c.bold(r.dbInstanceIdentifier)}  ${r.instanceClass ?? 'class unknown'}${r.status ? `, ${r.status}` : ''}, ${protection}, ${cost === undefined ? 'cost not estimated (no list price here for its class and region)' : `about ${usd(cost)} a month`}`,
    );
  }
  const costs = rows.map(monthlyUsd);
  const known = costs.filter((x): x is number => x !== undefined);
  const total =
    known.length === 0
      ? ''
      : ` Together about ${usd(known.reduce((a, b) => a + b, 0))} a month${known.length < rows.length ? ` for the ${known.length} with a price` : ''} (on-demand list prices: an estimate, not a bill).`;
  out.line(c.yellow(`  Each keeps billing (its instance class and storage) until it is deleted.${total}`));
  if (options.howToDelete === false) return;
  out.line(c.dim('  Once its data is reconciled, delete it keeping a final snapshot:'));
  for (const command of deleteCommands(rows[0]!)) out.line(c.dim(`    ${command}`));
  if (rows.length > 1) out.line(c.dim('    (the same for each of the others)'));
}
