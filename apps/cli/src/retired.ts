import type { Output } from './output.js';

/** A database a failback or rebuild retired (renamed `<id>-retired-<tag>`, kept for reconciliation). */
export interface RetiredRow {
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  readonly instanceClass?: string | null | undefined;
  readonly deletionProtection?: boolean | null | undefined;
  readonly status?: string | undefined;
}

/**
 * How to delete a retired instance once its data is reconciled. Deletion protection (which the
 * retired instance keeps from the constructs) must be turned off first, and a final snapshot
 * keeps its data after the instance is gone.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html
 */
export function deleteCommands(r: RetiredRow): string[] {
  const base = `aws rds --region ${r.region}`;
  return [
    ...(r.deletionProtection === false ? [] : [`${base} modify-db-instance --db-instance-identifier ${r.dbInstanceIdentifier} --no-deletion-protection --apply-immediately`]),
    `${base} delete-db-instance --db-instance-identifier ${r.dbInstanceIdentifier} --final-db-snapshot-identifier ${r.dbInstanceIdentifier}-final`,
  ];
}

/**
 * Lists retired instances with their class and deletion protection, says that they keep
 * billing, and how to delete them. Prints nothing when there are none.
 */
export function printRetired(out: Output, rows: readonly RetiredRow[], options: { readonly heading?: boolean; readonly howToDelete?: boolean } = {}): void {
  if (rows.length === 0) return;
  const c = out.color;
  if (options.heading !== false) out.heading(`Retired databases (${rows.length}), kept for reconciliation`);
  for (const r of rows) {
    const protection = r.deletionProtection === undefined || r.deletionProtection === null ? 'deletion protection unknown' : r.deletionProtection ? 'deletion protection on' : 'deletion protection off';
    out.line(`  ${r.region}  ${c.bold(r.dbInstanceIdentifier)}  ${r.instanceClass ?? 'class unknown'}${r.status ? `, ${r.status}` : ''}, ${protection}`);
  }
  out.line(c.yellow('  Each keeps billing (its instance class and storage) until it is deleted.'));
  if (options.howToDelete === false) return;
  out.line(c.dim('  Once its data is reconciled, delete it keeping a final snapshot:'));
  for (const command of deleteCommands(rows[0]!)) out.line(c.dim(`    ${command}`));
  if (rows.length > 1) out.line(c.dim('    (the same for each of the others)'));
}
