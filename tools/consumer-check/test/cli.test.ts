import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeAws, HealthEndpoint, startDynalite, startFakeAwsServer, type FakeAwsServer, type LocalDynamo } from '@dr/aws-fakes';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsOf, undeclaredImports, type DeclaredDependencies } from './bundle-imports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'apps/cli');
const manifest = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as DeclaredDependencies & {
  version: string;
  bin: { readonly dr: string };
};

/** What a failed module load prints: a dependency the package did not bring. */
const MISSING_MODULE = /Cannot find (package|module)|ERR_MODULE_NOT_FOUND/;

/** The SDK's warning under Node 20, which `dr` keeps off the operator's terminal (apps/cli/src/bin.ts). */
const SDK_NODE_WARNING = /NodeVersionSupportWarning/;

/** The result of one `dr` process. */
interface DrRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a `dr` executable as an operator's shell would: the file itself (its `#!` line finds
 * `node` on `PATH`), none of this machine's AWS or CDK settings, no colour. Not spawnSync: the
 * fake AWS a live command talks to answers from this process's event loop.
 */
function runDr(bin: string, args: readonly string[], env: Record<string, string> = {}): Promise<DrRun> {
  const own = Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !/^(AWS_|CDK_|FORCE_COLOR$|NODE_OPTIONS$)/.test(e[0]),
  );
  const path = [dirname(process.execPath), process.env.PATH].join(':');
  const child = spawn(bin, args, {
    env: { ...Object.fromEntries(own), PATH: path, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('@dr/cli, packed and installed into an empty prefix from the registry alone', () => {
  const work = mkdtempSync(join(tmpdir(), 'dr-cli-consumer-'));
  const prefix = join(work, 'prefix');
  /** The installed package, and the `dr` npm linked for it. */
  const installed = join(prefix, 'lib/node_modules/@dr/cli');
  const dr = join(prefix, 'bin/dr');
  let server: FakeAwsServer | undefined;
  let dynamo: LocalDynamo | undefined;
  const health: HealthEndpoint[] = [];

  beforeAll(() => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: CLI, stdio: 'ignore' });
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    // A global install into a prefix of its own, from outside the workspace: npm finds the
    // dependencies on the registry (from its cache when it has them) and nothing of ours there.
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs],
      { cwd: work, stdio: 'inherit' },
    );
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), dynamo?.stop(), ...health.map((h) => h.stop())]);
    rmSync(work, { recursive: true, force: true });
  });

  it('installs outside the workspace with no other package of ours: the workspace libraries are in its bundle', () => {
    expect(prefix.startsWith(ROOT)).toBe(false);
    expect(readdirSync(join(prefix, 'lib/node_modules/@dr'))).toEqual(['cli']);
    expect(existsSync(join(installed, 'node_modules/@dr'))).toBe(false);
    expect(lstatSync(dr).isSymbolicLink()).toBe(true);
    // The JSON Schema of its --json documents, for operators' scripts.
    expect(existsSync(join(installed, 'schema/dr-output.schema.json'))).toBe(true);
  });

  it('imports nothing but Node builtins, its own chunks and the dependencies it declares; never a devDependency', async () => {
    const dist = join(installed, 'dist');
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const imports = await importsOf(files.map((f) => ({ name: `dist/${f}`, source: readFileSync(join(dist, f), 'utf8') })));

    expect(undeclaredImports(imports, manifest)).toEqual([]);
    // The AWS code loads only when a command needs it: a chunk of its own, inside dist.
    const chunks = imports.map((i) => i.specifier ?? '').filter((s) => s.startsWith('./'));
    expect(chunks.some((s) => s.startsWith('./aws-context-'))).toBe(true);
    for (const chunk of chunks) expect(existsSync(join(dist, chunk)), chunk).toBe(true);
  });

  it('answers dr --help with its commands, exit 0', async () => {
    const r = await runDr(dr, ['--help']);

    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: dr/);
    expect(r.stdout).toMatch(/\bstatus\b[\s\S]*\bfailover\b[\s\S]*\bdrill\b/);
  });

  it('runs dr drill --json on the simulator: one JSON document of a completed drill, exit 0', async () => {
    const r = await runDr(dr, ['drill', '--json']);

    expect(r.stderr).not.toMatch(MISSING_MODULE);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schemaVersion: 1, command: 'drill', mode: 'simulated', outcome: 'completed' });
  });

  it('runs dr status --config against fake AWS: it reads both regions and answers, with no module missing and no SDK warning', async () => {
    const [primaryHealth, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    health.push(primaryHealth, drHealth);
    const config = parseConfig({
      ...referenceConfig,
      primary: { ...referenceConfig.primary, healthCheckUrl: primaryHealth.url },
      secondary: { ...referenceConfig.secondary, healthCheckUrl: drHealth.url },
      // Named here so that the table this test creates is the one dr reads.
      controller: { ...referenceConfig.controller, stateTableName: 'lamp-dr-state' },
    });
    const fake = new FakeAws(config, 'steady', { mockSdk: false });
    server = await startFakeAwsServer(fake);
    dynamo = await startDynalite();
    await dynamo.createTable('lamp-dr-state');
    const file = join(work, 'dr.json');
    writeFileSync(file, JSON.stringify(config));

    const r = await runDr(dr, ['status', '--config', file, '--json'], {
      ...server.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: config.secondary.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: work,
    });

    expect(r.stderr).not.toMatch(MISSING_MODULE);
    expect(r.stderr).not.toMatch(SDK_NODE_WARNING);
    // 0 when DR is ready, 1 when it is not: either way the command ran to its answer.
    expect([0, 1], r.stderr).toContain(r.status);
    expect(JSON.parse(r.stdout)).toEqual(expect.any(Object));
    // It asked the fakes (not some AWS it found elsewhere) and changed nothing.
    expect(server.calls).toEqual(expect.arrayContaining(['rds:DescribeDBInstances', 'globalaccelerator:DescribeEndpointGroup']));
    expect(fake.mutations()).toBe(0);
  });
});

describe('dr in the workspace, after npm ci and the build', () => {
  it('is linked in node_modules/.bin to the committed bin/dr.js, and npx dr runs the built command', () => {
    const link = join(ROOT, 'node_modules/.bin/dr');

    expect(realpathSync(link)).toBe(join(CLI, manifest.bin.dr));
    // npm_config_yes=false: were the link missing, npx would fail rather than fetch the registry's unrelated `dr`.
    const r = spawnSync('npx', ['dr', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', npm_config_yes: 'false' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(manifest.version);
  });
});
