import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDbStateStore } from '@dr/aws-adapters';
import {
  FAKE_DEPLOYMENT_POLL_SECONDS,
  FakeAws,
  FakeDns,
  HealthEndpoint,
  invokeLambda,
  runNodeScript,
  scheduledEvent,
  startDynalite,
  startFakeAwsServer,
  type FakeAwsServer,
  type LambdaInvocation,
  type LocalDynamo,
  type ProcessRun,
} from '@dr/aws-fakes';
import {
  parseConfig,
  referenceAuroraConfig,
  referenceConfig,
  stateKeys,
  type ControlRecord,
  type DataTierName,
  type DrConfig,
} from '@dr/failover-core';

/** The failover-controller bundle exactly as `@dr/constructs` ships it. */
export const CONTROLLER_BUNDLE = fileURLToPath(new URL('../../../apps/lambdas/dist/failover-controller/index.mjs', import.meta.url));
/** The `dr` command as built (`DR_CLI_BIN` runs the lifecycle against another build, such as an installed `@dr/cli`). */
export const DR_BIN = process.env.DR_CLI_BIN ?? fileURLToPath(new URL('../../../apps/cli/dist/bin.js', import.meta.url));

const STATE_TABLE = 'lamp-dr-state';
const CONFIG_PARAMETER = '/dr/lamp/config';

/** Fails with the command to run when a build this check runs is missing (Nx builds both first). */
export function requireBuilds(): void {
  const missing = [
    [CONTROLLER_BUNDLE, 'npx nx run lambdas:build'],
    [DR_BIN, 'npx nx run cli:build'],
  ].filter(([file]) => !existsSync(file!));
  if (missing.length > 0) throw new Error(missing.map(([file, build]) => `${file} is missing: build it first (${build})`).join('; '));
}

/** What the failover controller returns from one invocation. */
export interface ControllerResult {
  readonly action: string;
  readonly phase?: string;
  readonly failoverId?: string;
  readonly containment?: string;
  readonly verdict: string;
  readonly rounds: number;
}

/** One controller invocation: its result (or error), its JSON log lines and its EMF metric names. */
export interface Invocation extends Omit<LambdaInvocation, 'result' | 'metrics'> {
  readonly result?: ControllerResult;
  readonly metrics: readonly string[];
}

/** One `dr` run. */
export type CliRun = ProcessRun;

/**
 * One deployed pilot light for the whole lifecycle: `@dr/aws-fakes` served over HTTP (both
 * regions, the config in SSM), dynalite holding the one state table the controller and `dr`
 * share, the two regions' health paths, a DNS server answering the primary's Route 53 health
 * record (the controller's `DR_DNS_SERVERS`), and the config in a file for `dr --config`. The
 * controller runs as its bundle in a fresh process per invocation (as Lambda runs it), `dr` as
 * the built command; neither shares anything with this process but the fakes and the table.
 */
export class LifecycleWorld {
  private constructor(
    readonly config: DrConfig,
    readonly fake: FakeAws,
    readonly server: FakeAwsServer,
    readonly dynamo: LocalDynamo,
    /** The primary region's health path (the detector's probe, and the check after a failback). */
    readonly health: HealthEndpoint,
    /** The DR region's health path (the check after a failover or switchover). */
    readonly drHealth: HealthEndpoint,
    /** The resolver the controller asks for the primary's Route 53 health record (its `route53` signal). */
    readonly dns: FakeDns,
    private readonly dir: string,
  ) {}

  /**
   * Starts the fakes, dynalite and the health paths, with the reference pilot light of `tier`
   * deployed and steady (eu-west-1 serving).
   */
  static async start(tier: DataTierName = 'rds-replica'): Promise<LifecycleWorld> {
    const [health, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    const reference = tier === 'aurora-global' ? referenceAuroraConfig : referenceConfig;
    const config = parseConfig({
      ...reference,
      primary: { ...reference.primary, healthCheckUrl: health.url },
      secondary: { ...reference.secondary, healthCheckUrl: drHealth.url },
      controller: { stateTableName: STATE_TABLE, topicArn: 'arn:aws:sns:us-east-1:123456789012:lamp-dr' },
      // Detection in 10 s (two failing rounds 5 s apart, two signals of those that survive the
      // outage), a failover committed after the shortest confirmation the config allows (30 s of
      // impairment), and no cooldown: the second outage comes minutes after the first recovered, not hours.
      detection: {
        intervalSeconds: 5,
        probeTimeoutSeconds: 2,
        failureThreshold: 2,
        recoveryThreshold: 2,
        quorum: 2,
        cooldownSeconds: 0,
        confirmSeconds: 30,
      },
      // No connections to drain in the fakes, and a failover leaves an unreachable old region
      // to the controller after the shortest wait the config allows. The engine observes a step
      // in progress every 0.2 s (not 2 s): the fakes move a resource on by one state per describe,
      // so waiting between describes only makes each operation longer, while detection and its
      // confirmation above keep their real-time windows.
      timeouts: { drainSeconds: 0, containmentSeconds: 10, pollSeconds: FAKE_DEPLOYMENT_POLL_SECONDS },
    });
    const fake = new FakeAws(config, 'steady', { mockSdk: false });
    // The fake's clock is its describes; one describe per state (the fewest that still show
    // every status: applying, renaming, rebooting, creating, modifying) keeps each operation short.
    fake.parameterApplyDescribes = 1;
    fake.renameDescribes = 1;
    fake.rebootDescribes = 1;
    fake.createReplicaDescribes = 1;
    fake.modifyDescribes = 1;
    fake.parameters.set(`${config.secondary.region}:${CONFIG_PARAMETER}`, JSON.stringify(config));
    fake.alarmStates.set(config.primary.availabilityAlarmName ?? '', 'OK');
    const dynamo = await startDynalite();
    await dynamo.createTable(STATE_TABLE);
    // Route 53's checkers turn the primary's record unhealthy 20 s into an outage (three failed
    // checks 10 s apart), as they would; the record comes back with the region.
    const dns = await FakeDns.start(fake);
    const dir = mkdtempSync(join(tmpdir(), 'dr-lifecycle-'));
    writeFileSync(join(dir, 'dr.json'), JSON.stringify(config));
    return new LifecycleWorld(config, fake, await startFakeAwsServer(fake), dynamo, health, drHealth, dns, dir);
  }

  /** The config file `dr --config` reads (the same document as in SSM). */
  get configFile(): string {
    return join(this.dir, 'dr.json');
  }

  /** The environment of a process pointed at the fakes: no profile, no instance metadata, nothing of this machine's AWS settings. */
  private env(extra: Record<string, string>): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: this.dir,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: this.config.secondary.region,
      ...this.server.env,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamo.endpoint,
      ...extra,
    };
  }

  /** One invocation of the controller bundle, as EventBridge's schedule triggers it, with the environment the constructs give it. */
  async controller(timeoutMs: number): Promise<Invocation> {
    const event = scheduledEvent(this.config.secondary.region);
    const env = this.env({
      DR_APP: this.config.app,
      DR_CONFIG_PARAMETER: CONFIG_PARAMETER,
      DR_STATE_TABLE: STATE_TABLE,
      DR_TOPIC_ARN: this.config.controller.topicArn ?? '',
      DR_DNS_SERVERS: this.dns.server,
    });
    const invocation = await invokeLambda(CONTROLLER_BUNDLE, { event, timeoutMs, env, functionName: `${this.config.app}-dr-controller` });
    return { ...invocation, result: invocation.result as ControllerResult | undefined, metrics: Object.keys(invocation.metrics) };
  }

  /** `dr <args>` as an operator runs it, pointed at the fakes. */
  dr(args: readonly string[]): Promise<CliRun> {
    return runNodeScript(DR_BIN, args, { env: this.env({}) });
  }

  /** The control record the controller and `dr` share. */
  async control(): Promise<ControlRecord | undefined> {
    const store = new DynamoDbStateStore({ awsSdkV3Client: this.dynamo.client, tableName: STATE_TABLE });
    return (await store.read<ControlRecord>(stateKeys(this.config.app).control))?.value;
  }

  /** Stops every server and removes the config file's folder. */
  async stop(): Promise<void> {
    await Promise.all([this.server.stop(), this.dynamo.stop(), this.health.stop(), this.drHealth.stop(), this.dns.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
