/**
 * The global writer endpoint of the simulated Aurora global database: one DNS name that Aurora
 * re-points to the writer after a failover or switchover (RDS-EVENT-0397 once done), which clients
 * cache for the record's TTL. An app writes through it, so it works only while the endpoint leads
 * to a writer it can reach.
 * Source: Aurora user guide, "Connecting to Amazon Aurora Global Database"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html).
 */
import type { Window } from './faults.js';
import type { SimAurora, SimCluster } from './sim-aurora.js';

/** The cluster the global writer endpoint leads a client to at `t`: the writer, once DNS has followed it. */
export function endpointTargetAt(aurora: SimAurora, t: number): SimCluster {
  const seen = aurora.completedBy(t).filter((op) => aurora.end(op).at + op.dnsMs <= t);
  return seen.at(-1)?.to ?? aurora.firstWriter;
}

/**
 * Windows in which the global writer endpoint leads to a cluster whose region is out (`outages`):
 * an app that writes through it cannot work then, wherever it runs.
 */
export function endpointDownWindows(aurora: SimAurora, outages: readonly (Window & { readonly region: string })[]): Window[] {
  const flips = [
    { at: Number.NEGATIVE_INFINITY, to: aurora.firstWriter },
    ...aurora.operations.flatMap((op) => {
      const e = aurora.end(op);
      return e.completed ? [{ at: e.at + op.dnsMs, to: op.to }] : [];
    }),
  ].sort((a, b) => a.at - b.at);
  const windows: Window[] = [];
  flips.forEach((flip, i) => {
    const until = flips[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    for (const o of outages.filter((w) => w.region === flip.to.region)) {
      const from = Math.max(o.from, flip.at);
      const to = Math.min(o.to ?? Number.POSITIVE_INFINITY, until);
      if (from < to) windows.push({ from, to: Number.isFinite(to) ? to : undefined });
    }
  });
  return windows;
}
