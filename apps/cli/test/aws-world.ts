import { fileURLToPath } from 'node:url';
import { createAwsPorts } from '@dr/aws-adapters';
import { FakeDeployment, runNodeScript, type FakeAws, type FakeAwsServer, type HealthEndpoint, type LocalDynamo } from '@dr/aws-fakes';
import type { DrConfig, DrConfigInput, Ports } from '@dr/failover-core';
import { inject } from 'vitest';
import { BIN, TEST_COLUMNS, type CliResult } from './run-cli.js';

/** The health record reader bundle, exactly as `@dr/constructs` ships it. */
const READER_BUNDLE = fileURLToPath(new URL('../../../packages/constructs/lambda/health-record-reader/index.mjs', import.meta.url));

/** Options of {@link AwsWorld.start}. */
export interface AwsWorldOptions {
  /** @default 'steady' */
  readonly layout?: 'steady' | 'failed-over';
  /** Top-level config fields over the deployed config. @default - the deployed config */
  readonly config?: Partial<DrConfigInput>;
  /** `timeouts.pollSeconds` unless `config.timeouts` sets it. @default the fake deployment's (fast: the fakes need no waiting) */
  readonly pollSeconds?: number;
  /** The data tier the pilot light was synthesized on. @default 'rds-replica' */
  readonly tier?: 'rds-replica' | 'aurora-global';
}

/**
 * A deployed pilot light as `dr` sees it: the synthesized `PilotLight` deployed on the fakes
 * ({@link FakeDeployment}: fake AWS over HTTP, dynalite for the state table, the config in a file
 * and in SSM), with `dr` running as an operator with only the `<app>-dr-operator` managed policy,
 * enforced by the fakes. The DR load balancer is internal: `dr` checks its health path through
 * the shipped health record reader bundle (`healthCheckVia`).
 */
export class AwsWorld {
  private constructor(
    /** The deployment under `dr`: a test may arrange its fakes. */
    readonly deployment: FakeDeployment,
  ) {}

  static async start(options: AwsWorldOptions = {}): Promise<AwsWorld> {
    // Synthesized once per run by test/global-setup.ts.
    const { tier, ...rest } = options;
    const drApp = tier === 'aurora-global' ? inject('auroraDrApp') : inject('drApp');
    const deployment = await FakeDeployment.start({ drApp, healthRecordReader: READER_BUNDLE, ...rest });
    if (!deployment.credentials.operator) {
      await deployment.stop();
      throw new Error('the synthesized PilotLight has no <app>-dr-operator managed policy');
    }
    return new AwsWorld(deployment);
  }

  get config(): DrConfig {
    return this.deployment.config;
  }
  get fake(): FakeAws {
    return this.deployment.fake;
  }
  get server(): FakeAwsServer {
    return this.deployment.server;
  }
  get dynamo(): LocalDynamo {
    return this.deployment.dynamo;
  }
  /** The primary region's health path. */
  get health(): HealthEndpoint {
    return this.deployment.health;
  }
  /** The DR region's health path. */
  get drHealth(): HealthEndpoint {
    return this.deployment.drHealth;
  }
  /** The folder holding `dr.json`; also `dr`'s HOME. */
  get dir(): string {
    return this.deployment.dir;
  }
  get configFile(): string {
    return this.deployment.configFile;
  }
  /** The events the DR region's health record reader was invoked with, in order. */
  get readerEvents(): readonly unknown[] {
    return this.deployment.readerEvents;
  }

  /** A test that makes `dr` run into AccessDenied on purpose says so; otherwise {@link stop} fails the test on any refused call. */
  get deniesExpected(): boolean {
    return this.deployment.deniesExpected;
  }
  set deniesExpected(expected: boolean) {
    this.deployment.deniesExpected = expected;
  }

  /**
   * The environment of an operator's shell with the operator's keys, pointed at the fakes, with no profile or instance metadata to fall
   * back on.
   */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    return this.deployment.env(this.deployment.keysOf('operator'), {
      HOME: this.dir,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      COLUMNS: TEST_COLUMNS,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      ...extra,
    });
  }

  /** The AWS ports in this process, on the same fakes and state table as `dr` (to arrange what an earlier run left). */
  ports(): Ports {
    return createAwsPorts(this.config, {
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      endpoints: this.deployment.endpoints,
    });
  }

  /**
   * Keys the fakes do not check (`dr` run as someone with every permission): for a test about
   * what lies outside the deployment, such as another app's config parameter, where the operator
   * policy would rightly answer AccessDenied first.
   */
  get uncheckedKeys(): Record<string, string> {
    return this.deployment.uncheckedKeys;
  }

  /** Runs `dr` as a process; `onOutput` sees stdout as it grows and may signal the process. */
  dr(
    args: readonly string[],
    options: { env?: Record<string, string | undefined>; onOutput?: (stdout: string, signal: (s: NodeJS.Signals) => void) => void } = {},
  ): Promise<CliResult> {
    return runNodeScript(BIN, args, { env: this.env(options.env), onOutput: options.onOutput });
  }

  /** Stops the deployment; fails on any call of `dr` the operator policy refused, unless {@link deniesExpected}. */
  stop(): Promise<void> {
    return this.deployment.stop('dr under the operator policy');
  }
}
