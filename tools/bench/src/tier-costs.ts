/**
 * Each data tier's idle monthly cost of the DR region: the reference app synthesized on the tier
 * (`apps/reference-stack`, a whole `node` process as `cdk synth` runs it, the tier from the
 * `dataTier` context value) and priced by `tools/cost-report` at list prices, every price with its
 * source and date in that tool. Skips itself, saying so, when either is not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataTierName } from '@dr/failover-core';

const SYNTH = fileURLToPath(new URL('../../../apps/reference-stack/dist/main.js', import.meta.url));
const COST_REPORT = fileURLToPath(new URL('../../cost-report/dist/main.js', import.meta.url));

/** The fields of `cost-report --json` printed here. */
interface TierCost {
  readonly drRegion: string;
  readonly regions: readonly { readonly region: string; readonly idleUsd: number; readonly failoverUsd: number }[];
  readonly drIdleExcludingReplicaAndAccelerator: number;
  readonly drReplicaDatabaseUsd: number;
  readonly acceleratorUsd: number;
}

/** The cost report of the reference app synthesized on `tier`. */
function costOf(tier: DataTierName): TierCost {
  const outdir = mkdtempSync(join(tmpdir(), `bench-cost-${tier}-`));
  try {
    const context = tier === 'rds-replica' ? {} : { CDK_CONTEXT_JSON: JSON.stringify({ dataTier: tier }) };
    const synth = spawnSync(process.execPath, [SYNTH], { env: { ...process.env, CDK_OUTDIR: outdir, ...context }, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`synth of the ${tier} tier failed: ${synth.stderr}`);
    const report = spawnSync(process.execPath, [COST_REPORT, '--assembly', outdir, '--json'], { encoding: 'utf8' });
    if (report.status !== 0) throw new Error(`cost report of the ${tier} tier failed: ${report.stderr}`);
    return JSON.parse(report.stdout) as TierCost;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Prints each tier's idle monthly cost of the DR region (part of benchmark 10). */
export function tierCosts(tiers: readonly DataTierName[]): void {
  if (!existsSync(SYNTH) || !existsSync(COST_REPORT)) {
    console.log('\n   Idle cost per tier: apps/reference-stack or tools/cost-report is not built (npx nx run-many -t build)');
    return;
  }
  console.log(
    '\n   Idle monthly cost of the DR region per tier (reference app, list prices; tools/cost-report has every price and its source):',
  );
  for (const tier of tiers) {
    const c = costOf(tier);
    const dr = c.regions.find((r) => r.region === c.drRegion);
    console.log(
      `   ${tier.padEnd(14)} ${c.drRegion} idle ${usd(dr?.idleUsd ?? Number.NaN)}: the DR database ${usd(c.drReplicaDatabaseUsd)}, the rest ${usd(c.drIdleExcludingReplicaAndAccelerator)}; Global Accelerator ${usd(c.acceleratorUsd)} apart; during a failover ${usd(dr?.failoverUsd ?? Number.NaN)}`,
    );
  }
}
