import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type DrConfig, type DrConfigInput } from '@dr/failover-core';
import { startDynalite, type LocalDynamo } from './dynalite.js';
import { FakeAws } from './fake-aws.js';
import { startFakeAwsServer, type FakeAwsServer } from './fake-aws-server.js';
import { FakeDns, type FakeDnsOptions } from './fake-dns.js';
import { bundledFunction, type FakeLambdaFunction } from './fake-lambda.js';
import { HealthEndpoint } from './health-endpoint.js';
import { enforceSynthesizedDrApp, type SynthesizedDrApp } from './iam/synthesized-dr-app.js';

/**
 * The engine's observation interval (`timeouts.pollSeconds`) in a fake deployment: the fakes move a
 * resource on by one state per describe, so nothing is gained by waiting 2 s between describes.
 */
export const FAKE_DEPLOYMENT_POLL_SECONDS = 0.2;

/** The health record reader's timeout, as the constructs set it. */
export const HEALTH_RECORD_READER_TIMEOUT_MS = 5_000;

/** Options of {@link FakeDeployment.start}. */
export interface FakeDeploymentOptions {
  /** The synthesized app the deployment is of (`synthesizeReferenceDrApp`): its config, roles and operator policy. */
  readonly drApp: SynthesizedDrApp;
  /**
   * Which region serves.
   * @default 'steady'
   */
  readonly layout?: 'steady' | 'failed-over';
  /**
   * Top-level config fields over the deployed config (each replaces the deployed field whole), applied
   * after the health URLs, which point at the deployment's {@link HealthEndpoint}s.
   * @default - the deployed config
   */
  readonly config?: Partial<DrConfigInput>;
  /**
   * `timeouts.pollSeconds`, unless `config.timeouts` sets it (the deployed config's own value, 2,
   * does not count). A test that needs a run still going when it interrupts it (a signal at a given
   * output, a lease taken mid-run) asks for the engine's default, 2.
   * @default FAKE_DEPLOYMENT_POLL_SECONDS
   */
  readonly pollSeconds?: number;
  /**
   * The health record reader bundle, served by the fake Lambda service under the function name of
   * `secondary.healthCheckVia` (the internal DR load balancer is checked through it), allowed to
   * fetch only the DR health endpoint's host, and pointed at {@link FakeDeployment.dns} when one runs.
   * @default - no reader is served
   */
  readonly healthRecordReader?: string;
  /**
   * Starts a DNS server answering the Route 53 health records ({@link FakeDns}) with these options.
   * @default - none
   */
  readonly dns?: FakeDnsOptions;
  /**
   * Other functions for the fake Lambda service, by function name.
   * @default none
   */
  readonly functions?: Readonly<Record<string, FakeLambdaFunction>>;
}

/** A config input with the deployment's health endpoints, the overrides and the poll interval. */
function deployedConfig(options: FakeDeploymentOptions, health: HealthEndpoint, drHealth: HealthEndpoint): DrConfig {
  const deployed = options.drApp.config as unknown as DrConfigInput;
  const input: DrConfigInput = {
    ...deployed,
    primary: { ...deployed.primary, healthCheckUrl: health.url },
    secondary: { ...deployed.secondary, healthCheckUrl: drHealth.url },
    ...options.config,
  };
  // The deployed config spells every default out (pollSeconds 2 included): only an override's own pollSeconds wins over the option.
  const pollSeconds = options.config?.timeouts?.pollSeconds ?? options.pollSeconds ?? FAKE_DEPLOYMENT_POLL_SECONDS;
  return parseConfig({ ...input, timeouts: { ...input.timeouts, pollSeconds } });
}

/**
 * A synthesized `PilotLight` deployed on the fakes: {@link FakeAws} over HTTP with the deployed
 * config (health URLs at two local {@link HealthEndpoint}s) in the DR region's config parameter,
 * every role and the operator policy of the app enforced by `fake.iam`, dynalite with the state
 * table behind the same IAM, the config in `dr.json` in a temporary folder, and optionally the
 * health record reader bundle and a DNS server. The CLI's and the Lambdas' test worlds wrap it.
 */
export class FakeDeployment {
  /** A test that makes a caller run into AccessDenied on purpose says so; otherwise {@link stop} fails on any refused call. */
  deniesExpected = false;

  private constructor(
    readonly config: DrConfig,
    readonly fake: FakeAws,
    readonly server: FakeAwsServer,
    readonly dynamo: LocalDynamo,
    /** The primary region's health path. */
    readonly health: HealthEndpoint,
    /** The DR region's health path. */
    readonly drHealth: HealthEndpoint,
    /** The resolver answering the Route 53 health records, when {@link FakeDeploymentOptions.dns} asked for one. */
    readonly dns: FakeDns | undefined,
    /** A temporary folder holding `dr.json`, removed by {@link stop}. */
    readonly dir: string,
    /** Each caller's credentials env (its role or policy, enforced), by bundle name or `operator`. */
    readonly credentials: Readonly<Record<string, Readonly<Record<string, string>>>>,
    /** The config parameter's name, as the constructs give it to the functions. */
    readonly configParameterName: string,
    /** The events the health record reader was invoked with, in order. */
    readonly readerEvents: readonly unknown[],
  ) {}

  /** Starts every server of the deployment; {@link stop} it after the test. */
  static async start(options: FakeDeploymentOptions): Promise<FakeDeployment> {
    const [health, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    const config = deployedConfig(options, health, drHealth);
    const fake = new FakeAws(config, options.layout ?? 'steady', { mockSdk: false });
    fake.parameters.set(`${config.secondary.region}:${options.drApp.configParameterName}`, JSON.stringify(config));
    const credentials = enforceSynthesizedDrApp(fake.iam, options.drApp);
    const dynamo = await startDynalite({ iam: fake.iam });
    await dynamo.createTable(stateTableOf(config));
    const dns = options.dns && (await FakeDns.start(fake, options.dns));
    const dir = mkdtempSync(join(tmpdir(), 'dr-deployment-'));
    writeFileSync(join(dir, 'dr.json'), JSON.stringify(config));
    const readerEvents: unknown[] = [];
    const functions = { ...options.functions, ...readerFunction(options.healthRecordReader, config, drHealth, dns, readerEvents) };
    const server = await startFakeAwsServer(fake, { functions });
    return new FakeDeployment(
      config,
      fake,
      server,
      dynamo,
      health,
      drHealth,
      dns,
      dir,
      credentials,
      options.drApp.configParameterName,
      readerEvents,
    );
  }

  /** The config file (the same document as in SSM). */
  get configFile(): string {
    return join(this.dir, 'dr.json');
  }

  /** The state table's name. */
  get stateTableName(): string {
    return stateTableOf(this.config);
  }

  /** The health record reader's ARN (`secondary.healthCheckVia`); throws when the config checks the DR region directly. */
  get readerArn(): string {
    const arn = this.config.secondary.healthCheckVia;
    if (arn === undefined) throw new Error('the deployed config has no secondary.healthCheckVia: no health record reader');
    return arn;
  }

  /** The credentials env of `caller` (a bundle name such as `failover-controller`, or `operator`); throws for a caller the app lacks. */
  keysOf(caller: string): Readonly<Record<string, string>> {
    const keys = this.credentials[caller];
    if (!keys) throw new Error(`the synthesized app has no caller ${caller} (it has: ${Object.keys(this.credentials).join(', ')})`);
    return keys;
  }

  /** Keys the fakes do not check (someone with every permission), for calls outside what the app's policies are about. */
  get uncheckedKeys(): Record<string, string> {
    const { AWS_ACCESS_KEY_ID = '', AWS_SECRET_ACCESS_KEY = '', AWS_SESSION_TOKEN = '' } = this.server.env;
    return { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN };
  }

  /**
   * The endpoint of each service for `createAwsPorts({ endpoints })` in a test's own process
   * (dynamoDb: dynalite, the rest: the fake server).
   */
  get endpoints(): Readonly<Record<ServiceEndpoint, string>> {
    const e = this.server.endpoint;
    return {
      rds: e,
      autoScaling: e,
      elasticLoadBalancingV2: e,
      cloudWatch: e,
      globalAccelerator: e,
      sns: e,
      lambda: e,
      dynamoDb: this.dynamo.endpoint,
    };
  }

  /**
   * A process environment pointed at the fakes: `PATH`, the server's endpoints, dynalite (through the
   * IAM gate), `keys` (a caller's, see {@link keysOf}; the unchecked dummy keys without), then `extra`.
   * Variables whose value is `undefined` are left out, so `extra` may remove one.
   */
  env(
    keys: Readonly<Record<string, string>> | undefined,
    extra: Readonly<Record<string, string | undefined>> = {},
  ): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      ...this.server.env,
      ...keys,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamo.endpoint,
      ...extra,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /**
   * Stops every server and removes the folder; then, unless {@link deniesExpected}, fails on any call
   * IAM refused (`who`: whose calls they were, for the message), since a caller may survive a refusal
   * that would still be a permission missing on AWS.
   */
  async stop(who = 'the callers'): Promise<void> {
    await Promise.all([this.server.stop(), this.dynamo.stop(), this.health.stop(), this.drHealth.stop(), this.dns?.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
    const denials = this.fake.iam.denials();
    if (!this.deniesExpected && denials.length > 0) {
      const refused = [...new Set(denials.map((d) => `${d.principal}: ${d.action} on ${d.resource}`))];
      throw new Error(`AWS would have refused ${denials.length} call(s) of ${who}:\n${refused.join('\n')}`);
    }
  }
}

/** The services {@link FakeDeployment.endpoints} names (`createAwsPorts`' keys). */
export type ServiceEndpoint =
  'rds' | 'autoScaling' | 'elasticLoadBalancingV2' | 'cloudWatch' | 'globalAccelerator' | 'sns' | 'lambda' | 'dynamoDb';

function stateTableOf(config: DrConfig): string {
  const name = config.controller.stateTableName;
  if (name === undefined) throw new Error('the deployed config has no controller.stateTableName');
  return name;
}

/**
 * The reader bundle under `secondary.healthCheckVia`'s function name, recording each event. The DR
 * load balancer is internal: `dr` and the controller check its health path through the reader in
 * the DR VPC, allowed to fetch only the DR endpoint's host and resolving with the VPC's resolver.
 */
function readerFunction(
  bundle: string | undefined,
  config: DrConfig,
  drHealth: HealthEndpoint,
  dns: FakeDns | undefined,
  events: unknown[],
): Record<string, FakeLambdaFunction> {
  const via = config.secondary.healthCheckVia;
  if (bundle === undefined || via === undefined) return {};
  const run = bundledFunction(bundle, {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: config.secondary.region,
      DR_DNS_SERVERS: dns?.server,
      DR_PROBE_HOSTS: new URL(drHealth.url).hostname,
    },
    timeoutMs: HEALTH_RECORD_READER_TIMEOUT_MS,
  });
  const name = via.split(':').at(-1)!;
  return { [name]: (event, invocation) => (events.push(event), run(event, invocation)) };
}
