import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const PACKAGES = ['failover-core', 'snapshot', 'aws-adapters', 'constructs'];
/** The peers a consumer brings: the versions the workspace is tested with. */
const peers = () => {
  const constructs = JSON.parse(readFileSync(join(ROOT, 'packages/constructs/package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  // TypeScript and Node's types compile the README examples.
  return [`aws-cdk-lib@${constructs.devDependencies['aws-cdk-lib']}`, `constructs@${constructs.devDependencies.constructs}`, `typescript@${root.devDependencies.typescript}`, `@types/node@${root.devDependencies['@types/node']}`];
};

/** Runs a fixture in the consumer folder; its last stdout line is JSON. */
function run(dir: string, file: string, ...args: string[]): unknown {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.status !== 0) throw new Error(`${file} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
}

describe('the four packages, packed and installed as another team would', () => {
  const work = mkdtempSync(join(tmpdir(), 'dr-consumer-'));
  const consumer = join(work, 'consumer');

  beforeAll(() => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const p of PACKAGES) execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(ROOT, 'packages', p), stdio: 'ignore' });
    cpSync(FIXTURES, consumer, { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    // Outside the workspace: only the registry and these tarballs; npm installs the declared peers (the AWS SDK clients).
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...peers()], { cwd: consumer, stdio: 'inherit' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs outside the workspace, with the SDK clients as peers rather than copies', () => {
    expect(consumer.startsWith(ROOT)).toBe(false);
    expect(existsSync(join(consumer, 'node_modules/@aws-sdk/client-rds'))).toBe(true);
    expect(existsSync(join(consumer, 'node_modules/@dr/aws-adapters/node_modules/@aws-sdk'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules/@dr/constructs/node_modules/aws-cdk-lib'))).toBe(false);
  });

  it('synthesizes a CDK app built from PilotLight, with the Lambda bundles the package ships', () => {
    const out = join(work, 'cdk.out');

    expect(run(consumer, 'app.mjs', out)).toEqual(['Shop-Primary', 'Shop-Secondary', 'Shop-Global', 'Shop-Control', 'Shop-PrimaryConfig']);
    const bundles = readdirSync(out).filter((d) => d.startsWith('asset.') && existsSync(join(out, d, 'index.mjs')));
    expect(bundles.length).toBeGreaterThanOrEqual(2);
  });

  it('drives the simulator through a failover drill', () => {
    expect(run(consumer, 'drill.mjs')).toMatchObject({ outcome: 'completed', promotions: 1 });
  });

  it('compiles every TypeScript example of the four READMEs, as published, against the published types', () => {
    const examples = PACKAGES.flatMap((p) => {
      const readme = readFileSync(join(consumer, 'node_modules/@dr', p, 'README.md'), 'utf8');
      return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({ file: `example-${p}-${i + 1}.ts`, code: m[1] ?? '' }));
    });
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const e of examples) writeFileSync(join(consumer, e.file), `${e.code}\nexport {};\n`);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2023'], types: ['node'] }, files: examples.map((e) => e.file) }),
    );

    const tsc = spawnSync(process.execPath, [join(consumer, 'node_modules/typescript/bin/tsc'), '-p', consumer], { cwd: consumer, encoding: 'utf8' });

    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('loads every package through ESM import and CommonJS require alike', () => {
    const esm = run(consumer, 'esm.mjs') as Record<string, number>;
    const cjs = run(consumer, 'cjs.cjs') as Record<string, number>;

    expect(cjs).toEqual(esm);
    for (const count of Object.values(esm)) expect(count).toBeGreaterThan(3);
  });
});
