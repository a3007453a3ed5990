import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsPorts } from '@dr/aws-adapters';
import { FakeAws, HealthEndpoint, runNodeScript, startDynalite, startFakeAwsServer, type FakeAwsServer, type LocalDynamo } from '@dr/aws-fakes';
import { parseConfig, referenceConfig, type DrConfig, type DrConfigInput, type Ports } from '@dr/failover-core';
import { BIN, type CliResult } from './run-cli.js';

/** A deployed pilot light as `dr` sees it: fake AWS over HTTP, dynalite for the state table, the config in a file and in SSM. */
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
  ) {}

  static async start(options: { layout?: 'steady' | 'failed-over'; config?: Partial<DrConfigInput> } = {}): Promise<AwsWorld> {
    const [health, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    const config = parseConfig({
      ...referenceConfig,
      primary: { ...referenceConfig.primary, healthCheckUrl: health.url },
      secondary: { ...referenceConfig.secondary, healthCheckUrl: drHealth.url },
      controller: { stateTableName: 'lamp-dr-state', topicArn: 'arn:aws:sns:us-east-1:123456789012:lamp-dr' },
      ...options.config,
    });
    const fake = new FakeAws(config, options.layout ?? 'steady', { mockSdk: false });
    fake.parameters.set(`us-east-1:/dr/lamp/config`, JSON.stringify(config));
    const dynamo = await startDynalite();
    await dynamo.createTable('lamp-dr-state');
    const dir = mkdtempSync(join(tmpdir(), 'dr-cli-'));
    writeFileSync(join(dir, 'dr.json'), JSON.stringify(config));
    return new AwsWorld(config, fake, await startFakeAwsServer(fake), dynamo, drHealth, dir, health);
  }

  get configFile(): string {
    return join(this.dir, 'dr.json');
  }

  /** The environment of an operator's shell, pointed at the fakes, with no profile or instance metadata to fall back on. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: this.dir,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      ...this.server.env,
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
      endpoints: { rds: e, autoScaling: e, elasticLoadBalancingV2: e, cloudWatch: e, globalAccelerator: e, sns: e, dynamoDb: this.dynamo.endpoint },
    });
  }

  /** Runs `dr` as a process; `onOutput` sees stdout as it grows and may signal the process. */
  dr(args: readonly string[], options: { env?: Record<string, string | undefined>; onOutput?: (stdout: string, signal: (s: NodeJS.Signals) => void) => void } = {}): Promise<CliResult> {
    return runNodeScript(BIN, args, { env: this.env(options.env), onOutput: options.onOutput });
  }

  async stop(): Promise<void> {
    await Promise.all([this.server.stop(), this.dynamo.stop(), this.drHealth.stop(), this.health.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
