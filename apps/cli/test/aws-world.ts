import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAwsPorts } from '@dr/aws-adapters';
import {
  bundledFunction,
  enforceSynthesizedDrApp,
  FakeAws,
  HealthEndpoint,
  runNodeScript,
  startDynalite,
  startFakeAwsServer,
  type FakeAwsServer,
  type LocalDynamo,
} from '@dr/aws-fakes';
import { parseConfig, type DrConfig, type DrConfigInput, type Ports } from '@dr/failover-core';
import { inject } from 'vitest';
import { BIN, TEST_COLUMNS, type CliResult } from './run-cli.js';

/** The health record reader bundle, exactly as `@dr/constructs` ships it. */
const READER_BUNDLE = fileURLToPath(new URL('../../../packages/constructs/lambda/health-record-reader/index.mjs', import.meta.url));

/**
 * A deployed pilot light as `dr` sees it: fake AWS over HTTP, dynalite for the state table, the
 * config in a file and in SSM. The names are the synthesized `PilotLight`'s (its config
 * parameter's value), and `dr` runs as an operator with only the `<app>-dr-operator` managed
 * policy, enforced by the fakes.
 */
export class AwsWorld {
  private constructor(
    readonly config: DrConfig,
    readonly fake: FakeAws,
    readonly server: FakeAwsServer,
    readonly dynamo: LocalDynamo,
    readonly drHealth: HealthEndpoint,
    readonly dir: string,
    /** The primary region's health path. */
    readonly health: HealthEndpoint,
    /** The operator's keys: `dr` runs with them. */
    private readonly operator: Readonly<Record<string, string>>,
    /** The events the DR region's health record reader was invoked with, in order. */
    readonly readerEvents: readonly unknown[],
  ) {}

  /** A test that makes `dr` run into AccessDenied on purpose says so; otherwise {@link stop} fails the test on any refused call. */
  deniesExpected = false;

  static async start(options: { layout?: 'steady' | 'failed-over'; config?: Partial<DrConfigInput> } = {}): Promise<AwsWorld> {
    // Synthesized once per run by test/global-setup.ts.
    const synth = inject('drApp');
    const deployed = synth.config as unknown as DrConfigInput;
    const [health, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    const config = parseConfig({
      ...deployed,
      primary: { ...deployed.primary, healthCheckUrl: health.url },
      secondary: { ...deployed.secondary, healthCheckUrl: drHealth.url },
      ...options.config,
    });
    const fake = new FakeAws(config, options.layout ?? 'steady', { mockSdk: false });
    fake.parameters.set(`${config.secondary.region}:${synth.configParameterName}`, JSON.stringify(config));
    const { operator } = enforceSynthesizedDrApp(fake.iam, synth);
    if (!operator) throw new Error('the synthesized PilotLight has no <app>-dr-operator managed policy');
    const dynamo = await startDynalite({ iam: fake.iam });
    await dynamo.createTable(config.controller.stateTableName ?? '');
    const dir = mkdtempSync(join(tmpdir(), 'dr-cli-'));
    writeFileSync(join(dir, 'dr.json'), JSON.stringify(config));
    // The DR load balancer is internal: dr checks its health path through the reader in the DR
    // VPC (healthCheckVia), here the shipped bundle, allowed to fetch only the DR endpoint's host.
    const readerEvents: unknown[] = [];
    const functions =
      config.secondary.healthCheckVia === undefined
        ? {}
        : {
            [config.secondary.healthCheckVia.split(':').at(-1)!]: bundledFunction(READER_BUNDLE, {
              env: { PATH: process.env.PATH, AWS_REGION: config.secondary.region, DR_PROBE_HOSTS: new URL(drHealth.url).hostname },
              timeoutMs: 5_000,
            }),
          };
    const server = await startFakeAwsServer(fake, {
      functions: Object.fromEntries(
        Object.entries(functions).map(([name, run]) => [
          name,
          (event: unknown, invocation: Parameters<typeof run>[1]) => (readerEvents.push(event), run(event, invocation)),
        ]),
      ),
    });
    return new AwsWorld(config, fake, server, dynamo, drHealth, dir, health, operator, readerEvents);
  }

  get configFile(): string {
    return join(this.dir, 'dr.json');
  }

  /**
   * The environment of an operator's shell with the operator's keys, pointed at the fakes, with no profile or instance metadata to fall
   * back on.
   */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: this.dir,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      COLUMNS: TEST_COLUMNS,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      ...this.server.env,
      ...this.operator,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamo.endpoint,
      ...extra,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /** The AWS ports in this process, on the same fakes and state table as `dr` (to arrange what an earlier run left). */
  ports(): Ports {
    const e = this.server.endpoint;
    return createAwsPorts(this.config, {
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      endpoints: {
        rds: e,
        autoScaling: e,
        elasticLoadBalancingV2: e,
        cloudWatch: e,
        globalAccelerator: e,
        sns: e,
        lambda: e,
        dynamoDb: this.dynamo.endpoint,
      },
    });
  }

  /**
   * Keys the fakes do not check (`dr` run as someone with every permission): for a test about
   * what lies outside the deployment, such as another app's config parameter, where the operator
   * policy would rightly answer AccessDenied first.
   */
  get uncheckedKeys(): Record<string, string> {
    const { AWS_ACCESS_KEY_ID = '', AWS_SECRET_ACCESS_KEY = '', AWS_SESSION_TOKEN = '' } = this.server.env;
    return { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN };
  }

  /** Runs `dr` as a process; `onOutput` sees stdout as it grows and may signal the process. */
  dr(
    args: readonly string[],
    options: { env?: Record<string, string | undefined>; onOutput?: (stdout: string, signal: (s: NodeJS.Signals) => void) => void } = {},
  ): Promise<CliResult> {
    return runNodeScript(BIN, args, { env: this.env(options.env), onOutput: options.onOutput });
  }

  async stop(): Promise<void> {
    await Promise.all([this.server.stop(), this.dynamo.stop(), this.drHealth.stop(), this.health.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
    const denials = this.fake.iam.denials();
    if (!this.deniesExpected && denials.length > 0) {
      throw new Error(
        `AWS would have refused ${denials.length} call(s) of dr under the operator policy:\n${[...new Set(denials.map((d) => `${d.action} on ${d.resource}`))].join('\n')}`,
      );
    }
  }
}
