/**
 * Benchmarks of whole processes, as a person or AWS starts them: synthesis of the reference app,
 * the Lambda bundles' cold load, and the `dr` command's start-up (`dr status` against the
 * stateful fakes over loopback HTTP). Each says so and skips itself when its app is not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FakeAws, runNodeScript, startDynalite, startFakeAwsServer } from '@dr/aws-fakes';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { stats } from './mix.js';

/** Synthesis of the reference app (five stacks) as whole `node` processes, as `nx run reference-stack:synth` runs it. */
export async function synthTime(): Promise<void> {
  const main = fileURLToPath(new URL('../../../apps/reference-stack/dist/main.js', import.meta.url));
  if (!existsSync(main)) {
    console.log('\n4. Synth time: apps/reference-stack is not built (npx nx run reference-stack:build)');
    return;
  }
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    const started = performance.now();
    const run = spawnSync(process.execPath, [main], { env: { ...process.env, CDK_OUTDIR: outdir }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`synth failed: ${run.stderr}`);
    times.push((performance.now() - started) / 1000);
    rmSync(outdir, { recursive: true, force: true });
  }
  const s = stats(times);
  console.log(`\n4. Synth time of the reference app (5 stacks, CloudFormation validation on), ${times.length} fresh processes`);
  console.log(`   mean ${s.mean.toFixed(2)} s, min ${s.min.toFixed(2)} s, max ${s.max.toFixed(2)} s`);
}

/**
 * Each Lambda bundle's size and its cold module-load time: a fresh `node` process imports it, as
 * a new Lambda execution environment does, timing the import alone and the whole process.
 */
export async function lambdaBundles(): Promise<void> {
  console.log('\n5. Lambda bundles (apps/lambdas/dist, shipped in @dr/constructs), 15 fresh processes each');
  for (const name of ['failover-controller', 'snapshot']) {
    const bundle = fileURLToPath(new URL(`../../../apps/lambdas/dist/${name}/index.mjs`, import.meta.url));
    if (!existsSync(bundle)) {
      console.log(`   ${name}: not built (npx nx run lambdas:build)`);
      continue;
    }
    const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(String(performance.now() - t));`;
    const load: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'us-east-1' },
      });
      if (run.status !== 0) throw new Error(`loading ${name} failed: ${run.stderr}`);
      whole.push(performance.now() - started);
      load.push(Number(run.stdout));
    }
    const l = stats(load);
    const w = stats(whole);
    console.log(
      `   ${name}: ${(statSync(bundle).size / 1024).toFixed(0)} KB; import p50 ${l.p50.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms; whole process p50 ${w.p50.toFixed(0)} ms`,
    );
  }
}

/**
 * `dr --help`, `dr drill` (default scenario) and `dr status` as whole processes, as an operator
 * starts them. `dr status` reads a steady pilot light from the stateful fakes over HTTP (every
 * RDS, Auto Scaling, Global Accelerator, CloudWatch, SSM and DynamoDB call a real status makes),
 * so its figure is the command's own cost plus loopback round trips, not AWS's latency.
 */
export async function cliStartup(): Promise<void> {
  const bin = fileURLToPath(new URL('../../../apps/cli/dist/bin.js', import.meta.url));
  if (!existsSync(bin)) {
    console.log('\n6. dr start-up: apps/cli is not built (npx nx run cli:build)');
    return;
  }
  console.log('\n6. dr start-up, whole processes');
  // Each run is awaited asynchronously: `dr status` talks to fakes served by this very process.
  const time = async (
    label: string,
    args: readonly string[],
    runs: number,
    env: NodeJS.ProcessEnv,
    ok: (code: number | null) => boolean,
  ) => {
    const times: number[] = [];
    const codes = new Set<number | null>();
    for (let i = 0; i < runs; i++) {
      const run = await runNodeScript(bin, args, { env: { ...env, NO_COLOR: '1' } });
      if (!ok(run.code)) throw new Error(`${label} failed (exit ${run.code}): ${run.stderr}`);
      codes.add(run.code);
      times.push(run.elapsedMs);
    }
    const t = stats(times);
    console.log(
      `   ${label.padEnd(20)} p50 ${t.p50.toFixed(0)} ms, p95 ${t.p95.toFixed(0)} ms (${runs} runs, exit ${[...codes].join('/')})`,
    );
  };
  await time('dr --help', ['--help'], 20, process.env, (code) => code === 0);
  await time('dr drill', ['drill'], 10, process.env, (code) => code === 0);
  const world = await startStatusWorld();
  try {
    // 0 when the steady world is healthy and ready; 1 is still a status that ran (it says why).
    await time('dr status (fakes)', ['status', '--config', world.configFile], 20, world.env, (code) => code === 0 || code === 1);
  } finally {
    await world.stop();
  }
}

/** A steady pilot light on the stateful fakes over HTTP and dynalite, for timing `dr status` as a process. */
async function startStatusWorld(): Promise<{ configFile: string; env: NodeJS.ProcessEnv; stop: () => Promise<void> }> {
  const statusConfig = parseConfig({ ...referenceConfig, controller: { stateTableName: 'bench-dr-state' } });
  const fake = new FakeAws(statusConfig, 'steady', { mockSdk: false });
  const [server, dynamo] = await Promise.all([startFakeAwsServer(fake), startDynalite()]);
  await dynamo.createTable('bench-dr-state');
  const dir = mkdtempSync(join(tmpdir(), 'dr-bench-status-'));
  const configFile = join(dir, 'dr.json');
  writeFileSync(configFile, JSON.stringify(statusConfig));
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: statusConfig.primary.region,
    ...server.env,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  };
  return {
    configFile,
    env,
    stop: async () => {
      await Promise.all([server.stop(), dynamo.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
