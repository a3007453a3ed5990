/**
 * The Aurora tier's side of a lifecycle's end checks, read on the simulated world: the pilot light's
 * global database (the home cluster the writer, the DR cluster a connected secondary with no fence
 * left), and the snapshots of old volumes a failback or rebuild should have kept.
 */
import type { DrConfig } from '../config/schema.js';
import type { SimAurora } from '../sim/sim-aurora.js';
import type { SimWorld } from '../sim/world.js';
import type { Span } from './audit.js';

/** What is wrong with the global database of the pilot light at `t` (nothing when it is as deployed). */
export function auroraPilotLightProblems(world: SimWorld, aurora: SimAurora, config: DrConfig, t: number): string[] {
  const problems: string[] = [];
  const { primary, secondary } = config;
  const home = aurora.cluster(primary.region, primary.dbClusterIdentifier ?? '');
  const dr = aurora.cluster(secondary.region, secondary.dbClusterIdentifier ?? '');
  if (!home || !dr) return [`the global database has no cluster ${!home ? primary.dbClusterIdentifier : secondary.dbClusterIdentifier}`];
  if (aurora.writerAt(t) !== home) problems.push(`${home.id} in ${home.region} is not the writer of ${aurora.globalClusterIdentifier}`);
  if (!world.writableAt(home.instance, t)) problems.push(`${primary.dbInstanceIdentifier} in ${primary.region} does not take writes`);
  if (!aurora.isMember(dr, t)) problems.push(`${dr.id} is not a member of ${aurora.globalClusterIdentifier}`);
  else if (aurora.syncStatusAt(dr, t) !== 'connected')
    problems.push(`${dr.id} is ${aurora.syncStatusAt(dr, t)}, not a connected secondary`);
  for (const c of [home, dr]) {
    const params = aurora.parameters.at(c, t);
    if (params.setting !== 'default' || params.applyStatus !== 'in-sync')
      problems.push(`the fence of ${c.parameterGroup} is not lifted (read_only ${params.setting}, ${params.applyStatus})`);
  }
  return problems;
}

/**
 * System snapshots of old volumes that a later failback or rebuild completed without keeping as a
 * manual copy (the lost writes, deleted with the automated backups otherwise), as of `t`.
 */
export function lostWritesNotKept(world: SimWorld, spans: readonly (Span & { readonly operation?: string })[], t: number): string[] {
  const aurora = world.aurora;
  if (!aurora) return [];
  const kept = new Set(aurora.copies.filter((c) => c.availableAt <= t).map((c) => c.sourceId));
  return aurora.clusters.flatMap((c) =>
    aurora
      .systemSnapshots(c, t)
      .filter((s) => !kept.has(s.id))
      .filter((s) =>
        spans.some((r) => (r.operation === 'failback' || r.operation === 'rebuild') && r.to !== undefined && r.to > s.availableAt),
      )
      .map((s) => `the snapshot of ${c.id}'s old volume ${s.id} was not kept as a manual copy`),
  );
}
