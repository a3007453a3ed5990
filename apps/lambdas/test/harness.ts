import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAwsPorts, DynamoDbStateStore } from '@dr/aws-adapters';
import {
  FakeDeployment,
  invokeLambda,
  scheduledEvent,
  type FakeAws,
  type FakeAwsServer,
  type FakeDns,
  type HealthEndpoint,
  type InvokeLambdaOptions,
  type LambdaInvocation,
  type LocalDynamo,
  type FakePrincipal,
  type SynthesizedDrApp,
} from '@dr/aws-fakes';
import {
  buildPlan,
  initialDetectorState,
  Runner,
  stateKeys,
  type ControlRecord,
  type DetectorState,
  type DrConfig,
  type DrConfigInput,
  type Operation,
  type Ports,
  type RunState,
} from '@dr/failover-core';
import { inject } from 'vitest';

/** The bundles under test: exactly the files @dr/constructs ships. */
export const BUNDLES = {
  controller: fileURLToPath(new URL('../dist/failover-controller/index.mjs', import.meta.url)),
  snapshot: fileURLToPath(new URL('../dist/snapshot/index.mjs', import.meta.url)),
  readiness: fileURLToPath(new URL('../dist/readiness/index.mjs', import.meta.url)),
  healthRecordReader: fileURLToPath(new URL('../dist/health-record-reader/index.mjs', import.meta.url)),
} as const;

for (const bundle of Object.values(BUNDLES)) {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build first (npx nx run lambdas:build)`);
}

/** Time for detection (two failing rounds 5 s apart) and for the failover to start and promote. */
export const TIMEOUT_MS = 40_000;
/** Detection takes 5 s; the handover margin (20 s) then leaves the runner about 5 s: it hands over mid-failover. */
export const SHORT_TIMEOUT_MS = 30_000;

export { scheduledEvent };

/** One invocation's output: its JSON log lines, EMF metrics, and result or error. */
export type Invocation = LambdaInvocation;

/** The bundle each Lambda's role belongs to (the constructs' `POWERTOOLS_SERVICE_NAME` is `dr-<bundle>`). */
const BUNDLE_NAMES: Readonly<Record<string, string>> = {
  [BUNDLES.controller]: 'failover-controller',
  [BUNDLES.snapshot]: 'snapshot',
  [BUNDLES.readiness]: 'readiness',
};

/** The reader's ARN in the synthesized app: the one function the controller's role may invoke. */
function readerOf(synth: SynthesizedDrApp): string {
  const statements = synth.lambdas['failover-controller']?.principal.policies.flatMap((p) => [p.Statement].flat()) ?? [];
  const invoke = statements.find((st) => [st.Action].flat().includes('lambda:InvokeFunction'));
  const [arn] = [invoke?.Resource].flat();
  if (typeof arn !== 'string')
    throw new Error('the synthesized controller may invoke no health record reader (no lambda:InvokeFunction in its role)');
  return arn;
}

/**
 * Everything a bundled handler runs against: the synthesized app deployed on the fakes
 * ({@link FakeDeployment}), with a resolver for the Route 53 health records.
 */
export class LambdaWorld {
  private constructor(
    /** The deployment the bundles run against. */
    readonly deployment: FakeDeployment,
    /**
     * The health record reader's ARN, as the constructs give it to the controller
     * (`DR_HEALTH_RECORD_READER`): the one function its role may invoke.
     */
    readonly readerArn: string,
  ) {}

  /**
   * A world whose names come from the synthesized `PilotLight` (its config parameter's value),
   * with `overrides` on top; every bundle invocation runs as its function's role, enforced.
   */
  static async start(overrides: Partial<DrConfigInput> = {}, tier: 'rds-replica' | 'aurora-global' = 'rds-replica'): Promise<LambdaWorld> {
    // Synthesized once per run and tier by test/global-setup.ts.
    const synth = tier === 'aurora-global' ? inject('auroraDrApp') : inject('drApp');
    const deployment = await FakeDeployment.start({
      drApp: synth,
      config: {
        // Detection and its confirmation as short as the config allows, to keep tests short.
        detection: { intervalSeconds: 5, probeTimeoutSeconds: 2, failureThreshold: 2, quorum: 2, confirmSeconds: 10 },
        // A failover's last step waits this long for the old region to answer before leaving its
        // containment to later invocations: the shortest the config allows, to keep tests short.
        timeouts: { containmentSeconds: 10 },
        ...overrides,
      },
      // The reader runs in the DR VPC, whose resolver (FakeDns) answers the private zone, and checks
      // the internal DR load balancer's health path for the controller, as healthCheckVia says.
      healthRecordReader: BUNDLES.healthRecordReader,
      dns: { failureDelayMs: 0 },
    });
    deployment.fake.alarmStates.set(deployment.config.primary.availabilityAlarmName ?? '', 'OK');
    return new LambdaWorld(deployment, readerOf(synth));
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
  /** The DR region's health path, which the failover's last step checks. */
  get drHealth(): HealthEndpoint {
    return this.deployment.drHealth;
  }
  /**
   * Answers the primary's Route 53 health record (unhealthy from the moment its region is out),
   * as the DR VPC's resolver: the controller reads it through the health record reader bundle,
   * which the fake Lambda service runs when the controller invokes it.
   */
  get dns(): FakeDns {
    return this.deployment.dns!;
  }
  /** The config parameter's name, as the constructs give it to the functions. */
  get configParameterName(): string {
    return this.deployment.configParameterName;
  }
  /** The events the reader was invoked with, in order: DNS lookups (`{ name }`) and HTTP checks (`{ kind: 'http', url }`). */
  get readerEvents(): readonly unknown[] {
    return this.deployment.readerEvents;
  }

  /**
   * The environment the constructs give the function, pointed at the fakes, with the keys of
   * `bundle`'s role (the fakes' dummy keys, which nothing checks, without one). The controller
   * reads the Route 53 health record through the reader (`DR_HEALTH_RECORD_READER`); to resolve
   * it directly instead, pass `{ DR_HEALTH_RECORD_READER: undefined, DR_DNS_SERVERS: world.dns.server }`.
   */
  env(extra: Record<string, string | undefined> = {}, bundle?: string): Record<string, string> {
    const role = bundle === undefined ? undefined : this.deployment.credentials[BUNDLE_NAMES[bundle] ?? ''];
    if (bundle !== undefined && !role) throw new Error(`no role for bundle ${bundle} in the synthesized app`);
    return this.deployment.env(role, {
      AWS_REGION: this.config.secondary.region,
      DR_APP: this.config.app,
      DR_CONFIG_PARAMETER: this.configParameterName,
      DR_STATE_TABLE: this.config.controller.stateTableName,
      DR_TOPIC_ARN: this.config.controller.topicArn,
      DR_LEASE_SECONDS: '30',
      DR_HEALTH_RECORD_READER: this.readerArn,
      POWERTOOLS_METRICS_NAMESPACE: 'PilotLightDR',
      ...extra,
    });
  }

  /**
   * Starts one invocation of a bundle in its own process, as its function's role (IAM enforced
   * by the fakes, unless `enforceIam` is false: for a test that points a bundle at something
   * outside the deployment, such as another config parameter); `onLog` sees each log line as it comes.
   */
  start(
    bundle: string,
    options: {
      event?: unknown;
      timeoutMs: number;
      env?: Record<string, string | undefined>;
      requestId?: string;
      onLog?: InvokeLambdaOptions['onLog'];
      enforceIam?: boolean;
    },
  ): Promise<Invocation> {
    const { enforceIam = true, ...rest } = options;
    return invokeLambda(bundle, {
      ...rest,
      event: options.event === undefined ? scheduledEvent() : options.event,
      env: this.env(options.env, enforceIam ? bundle : undefined),
    });
  }

  /** The state table as the engine reads and writes it. */
  stateStore(): DynamoDbStateStore {
    return new DynamoDbStateStore({ awsSdkV3Client: this.dynamo.client, tableName: this.config.controller.stateTableName ?? '' });
  }

  /**
   * Records that the controller has seen the primary healthy, as weeks of watching it would have
   * (the detector arms only then: a primary never seen healthy is never failed over).
   */
  async armDetector(): Promise<void> {
    await this.stateStore().write<DetectorState>(stateKeys(this.config.app).detector, { ...initialDetectorState, armed: true }, 0);
  }

  /**
   * An outage of the primary region, after the controller has seen it healthy: its APIs, its health path and its Route 53 record all fail.
   */
  async primaryOutage(): Promise<void> {
    await this.armDetector();
    this.fake.outages.add(this.config.primary.region);
    this.health.mode = 'down';
  }

  /** The control record in the state table. */
  async control(): Promise<ControlRecord | undefined> {
    return (await this.stateStore().read<ControlRecord>(stateKeys(this.config.app).control))?.value;
  }

  /**
   * Lets `ms` pass for the control record without waiting it out: moves back the times the
   * controller decides by (the lease's expiry, the run's last event, its approval's request and
   * expiry), keeping the rest of the record and its version check.
   */
  async letTimePass(ms: number): Promise<void> {
    const store = this.stateStore();
    const key = stateKeys(this.config.app).control;
    const stored = await store.read<ControlRecord>(key);
    if (!stored) throw new Error('no control record in the state table');
    const earlier = (t: number | undefined) => (t === undefined ? undefined : t - ms);
    const { lease, run } = stored.value;
    await store.write<ControlRecord>(
      key,
      {
        ...stored.value,
        lease: lease && { ...lease, expiresAt: lease.expiresAt - ms },
        run: run && {
          ...run,
          lastEventAt: earlier(run.lastEventAt),
          approvalRequestedAt: earlier(run.approvalRequestedAt),
          approvalExpiresAt: earlier(run.approvalExpiresAt),
        },
      },
      stored.version,
    );
  }

  /**
   * The ports `dr` builds on an operator's machine, in this process, pointed at the same fakes
   * and state table as the bundle: for a test to leave a run as the command would.
   */
  operatorPorts(): Ports {
    return createAwsPorts(this.config, {
      endpoints: this.deployment.endpoints,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      stateTableName: this.config.controller.stateTableName,
    });
  }

  /**
   * A test that makes a bundle run into AccessDenied on purpose says so; otherwise {@link stop}
   * fails the test on any refused call, since a bundle may survive a refusal (a readiness check
   * it could not evaluate) that would still be a permission missing on AWS.
   */
  get deniesExpected(): boolean {
    return this.deployment.deniesExpected;
  }
  set deniesExpected(expected: boolean) {
    this.deployment.deniesExpected = expected;
  }

  /** The role session `bundle` (`failover-controller`, `snapshot`, `readiness`) runs as; a test may edit its policies. */
  role(bundle: string): FakePrincipal {
    const accessKeyId = this.deployment.credentials[bundle]?.AWS_ACCESS_KEY_ID;
    const principal = accessKeyId === undefined ? undefined : this.fake.iam.principals.get(accessKeyId);
    if (!principal) throw new Error(`no role for bundle ${bundle}`);
    return principal;
  }

  /** Stops the deployment; fails on any refused call of the bundles' roles, unless {@link deniesExpected}. */
  stop(): Promise<void> {
    return this.deployment.stop("the bundles' roles");
  }
}

/**
 * Invokes the controller as the schedule would until the failover completes (a busy lease means:
 * come back later; a lease just released still holds others off for the engine's 5 s clock-skew bound).
 */
export async function untilCompleted(world: LambdaWorld, attempts: number): Promise<Invocation> {
  let last: Invocation | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
    if (last.result?.phase === 'completed') return last;
    if (last.result?.action === 'busy') await new Promise((r) => setTimeout(r, 5_000));
  }
  return last!;
}

/**
 * Runs `operation` as `dr` does on an operator's machine (the same runner, ports and state
 * table, unchecked by IAM: the operator's policy is the CLI tests' concern), to its end, or
 * aborted once the run reaches step `stopAt` as when the operator presses Ctrl-C.
 */
export async function runAsOperator(world: LambdaWorld, operation: Operation, stopAt?: string): Promise<RunState> {
  const stop = new AbortController();
  const runId = `${operation}-by-alice`;
  const runner = new Runner({
    ports: world.operatorPorts(),
    config: world.config,
    owner: 'cli:alice@laptop:4242-0a1b2c3d',
    stateKey: stateKeys(world.config.app).control,
    signal: stop.signal,
    // Polls faster than the command's 2 s, so the test need not wait for the fake's instances.
    settings: { pollMs: 200, settleMs: 60_000, backoffMs: 200, maxBackoffMs: 2_000 },
    onTransition: (state) => {
      if (stopAt !== undefined && state.plan.steps[state.stepIndex]?.id === stopAt) stop.abort();
    },
  });
  const { state } = await runner.start({
    runId,
    operation,
    plan: buildPlan(world.config, operation, { runTag: runId }),
    maxDataLossSeconds: world.config.objectives.maxDataLossSeconds,
  });
  return state;
}
