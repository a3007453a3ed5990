import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const PACKAGES = ['failover-core', 'snapshot', 'aws-adapters', 'constructs'];
/** The peers a consumer brings: the versions the workspace is tested with. */
const peers = () => {
  const constructs = JSON.parse(readFileSync(join(ROOT, 'packages/constructs/package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  // TypeScript and Node's types compile the README examples; the CDK CLI the workspace pins synthesizes them.
  return [
    `aws-cdk-lib@${constructs.devDependencies['aws-cdk-lib']}`,
    `constructs@${constructs.devDependencies.constructs}`,
    `typescript@${root.devDependencies.typescript}`,
    `@types/node@${root.devDependencies['@types/node']}`,
    `aws-cdk@${root.devDependencies['aws-cdk']}`,
  ];
};

/** Runs a fixture in the consumer folder; its last stdout line is JSON. */
function run(dir: string, file: string): unknown {
  const r = spawnSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (r.status !== 0) throw new Error(`${file} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
}

/** Marks a README example that the check runs, not only compiles: the line before its fence. */
const RUN_MARK = '<!-- consumer-check: run -->';

/** A TypeScript example of a package's README, as published. */
interface Example {
  readonly pkg: string;
  /** The file it is compiled as, in the consumer folder (`out/<name>.js` once compiled). */
  readonly name: string;
  readonly code: string;
  readonly run: boolean;
  /** What it must print, one line each: its `// prints: ...` comments, in order. */
  readonly prints: readonly string[];
}

/** The TypeScript examples of a README, in order: ```` ```ts ```` fences, each perhaps marked to run. */
function examplesOf(pkg: string, readme: string): Example[] {
  return [...readme.matchAll(new RegExp(`(${RUN_MARK}\\n)?\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m, i) => {
    const code = m[2] ?? '';
    return {
      pkg,
      name: `example-${pkg}-${i + 1}`,
      code,
      run: m[1] !== undefined,
      prints: [...code.matchAll(/^\s*\/\/ prints: (.*)$/gm)].map((p) => p[1] ?? ''),
    };
  });
}

/**
 * Settings of this process an example must not inherit: AWS's (credentials, profile, region), the CDK's, and colour (Nx forces it on its
 * tasks).
 */
const NOT_INHERITED = /^(AWS_|CDK_|FORCE_COLOR$)/;

/** What an example did when run: its exit status, its output, and where a CDK app in it synthesized to. */
interface ExampleRun {
  readonly status: number | null;
  readonly stdout: readonly string[];
  readonly stderr: string;
  readonly cdkOut: string;
}

/** The environment an example runs in, as in a plain terminal: AWS is the fakes over HTTP, and a CDK app synthesizes to `cdkOut`. */
function exampleEnv(server: FakeAwsServer, home: string, cdkOut: string): Record<string, string> {
  const own = Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !NOT_INHERITED.test(e[0]));
  return {
    ...Object.fromEntries(own),
    ...server.env,
    HOME: home,
    NO_COLOR: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CDK_OUTDIR: cdkOut,
  };
}

describe('the four packages, packed and installed as another team would', () => {
  const work = mkdtempSync(join(tmpdir(), 'dr-consumer-'));
  const consumer = join(work, 'consumer');
  let examples: Example[] = [];
  let server: FakeAwsServer | undefined;
  const runs = new Map<string, Promise<ExampleRun>>();

  /**
   * Runs a compiled example against the fakes, once (later calls share the result). Not
   * spawnSync: the fake AWS server answers from this process's event loop.
   */
  function runExample(e: Example): Promise<ExampleRun> {
    const started = runs.get(e.name);
    if (started) return started;
    if (!server) throw new Error('the fake AWS server did not start');
    const cdkOut = join(work, `${e.name}.cdk.out`);
    const child = spawn(process.execPath, [join(consumer, 'out', `${e.name}.js`)], {
      cwd: consumer,
      env: exampleEnv(server, work, cdkOut),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const run = new Promise<ExampleRun>((resolve) =>
      child.on('close', (status) => resolve({ status, stdout: stdout.split('\n').filter((l) => l !== ''), stderr, cdkOut })),
    );
    runs.set(e.name, run);
    return run;
  }
  const runnable = (pkg: string): Example => {
    const e = examples.find((x) => x.pkg === pkg && x.run);
    if (!e) throw new Error(`the ${pkg} README has no example marked ${RUN_MARK}`);
    return e;
  };

  beforeAll(async () => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const p of PACKAGES)
      execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(ROOT, 'packages', p), stdio: 'ignore' });
    cpSync(FIXTURES, consumer, { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    // Outside the workspace: only the registry and these tarballs; npm installs the declared peers (the AWS SDK clients).
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...peers()], {
      cwd: consumer,
      stdio: 'inherit',
    });
    examples = PACKAGES.flatMap((p) => examplesOf(p, readFileSync(join(consumer, 'node_modules/@dr', p, 'README.md'), 'utf8')));

    // AWS for the examples that call it: the reference pilot light, steady, with its config in SSM.
    const config = parseConfig(referenceConfig);
    const fake = new FakeAws(config, 'steady', { mockSdk: false });
    fake.parameters.set(`${config.secondary.region}:/dr/${config.app}/config`, JSON.stringify(config));
    fake.snapshotDescribesUntilAvailable = 0; // else the snapshot job polls for 30 s before it copies
    server = await startFakeAwsServer(fake);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs outside the workspace, with the SDK clients as peers rather than copies', () => {
    expect(consumer.startsWith(ROOT)).toBe(false);
    expect(existsSync(join(consumer, 'node_modules/@aws-sdk/client-rds'))).toBe(true);
    expect(existsSync(join(consumer, 'node_modules/@dr/aws-adapters/node_modules/@aws-sdk'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules/@dr/constructs/node_modules/aws-cdk-lib'))).toBe(false);
  });

  it('compiles every TypeScript example of the four READMEs, as published, against the published types', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const e of examples) writeFileSync(join(consumer, `${e.name}.ts`), `${e.code}\nexport {};\n`);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'out',
          rootDir: '.',
          skipLibCheck: true,
          lib: ['ES2023'],
          types: ['node'],
        },
        files: examples.map((e) => `${e.name}.ts`),
      }),
    );

    const tsc = spawnSync(process.execPath, [join(consumer, 'node_modules/typescript/bin/tsc'), '-p', consumer], {
      cwd: consumer,
      encoding: 'utf8',
    });

    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('runs every example a README marks to run, one or more per package, and each prints what its README says', async () => {
    const marked = examples.filter((e) => e.run);
    expect(new Set(marked.map((e) => e.pkg))).toEqual(new Set(PACKAGES));

    for (const e of marked) {
      const r = await runExample(e);

      expect({ example: e.name, status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({
        example: e.name,
        status: 0,
        stderr: '',
        stdout: e.prints,
      });
    }
  });

  it('synthesizes the PilotLight app of the constructs README: five stacks, with the Lambda bundles the package ships', async () => {
    const { cdkOut } = await runExample(runnable('constructs'));

    const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; properties?: { stackName?: string } }>;
    };
    // A stack's artifact id is its construct path's (the stacks are PilotLight's children); its name is what CloudFormation deploys.
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([id, a]) => a.properties?.stackName ?? id);
    expect(stacks).toEqual(['Shop-Primary', 'Shop-Secondary', 'Shop-Global', 'Shop-Control', 'Shop-PrimaryConfig']);
    const bundles = readdirSync(cdkOut).filter((d) => d.startsWith('asset.') && existsSync(join(cdkOut, d, 'index.mjs')));
    expect(bundles.length).toBeGreaterThanOrEqual(2);
  });

  it('synthesizes the constructs README example with the CDK CLI and no credentials: no lookup, no error', () => {
    const example = runnable('constructs');
    const app = join(work, 'cdk-cli-app');
    mkdirSync(app);
    writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: `node ${join(consumer, 'out', `${example.name}.js`)}` }));
    const env = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !NOT_INHERITED.test(e[0])),
    );
    const out = join(work, 'cdk-cli.out');

    const synth = spawnSync(join(consumer, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--output', out], {
      cwd: app,
      encoding: 'utf8',
      env: { ...env, HOME: mkdtempSync(join(work, 'home-')), AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', CI: 'true' },
      timeout: 180_000,
    });

    expect(synth.stderr).not.toMatch(/ERROR|no credentials have been configured/);
    expect(synth.status, synth.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
    expect(existsSync(join(app, 'cdk.context.json'))).toBe(false);
  });

  it("drives the simulator through a failover drill: the failover-core README's drill completes", async () => {
    const { status, stdout } = await runExample(runnable('failover-core'));

    expect(status).toBe(0);
    expect(stdout[0]?.split(' ')[0]).toBe('completed');
  });

  it('loads every package through ESM import and CommonJS require alike', () => {
    const esm = run(consumer, 'esm.mjs') as Record<string, number>;
    const cjs = run(consumer, 'cjs.cjs') as Record<string, number>;

    expect(cjs).toEqual(esm);
    for (const count of Object.values(esm)) expect(count).toBeGreaterThan(3);
  });
});
