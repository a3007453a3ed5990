import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeAws, HealthEndpoint, startDynalite, startFakeAwsServer, type FakeAwsServer, type LocalDynamo } from '@dr/aws-fakes';
import { parseConfig, referenceConfig, type DrConfig, type DrConfigInput } from '@dr/failover-core';

/** The bundles under test: exactly the files @dr/constructs ships. */
export const BUNDLES = {
  controller: fileURLToPath(new URL('../dist/failover-controller/index.mjs', import.meta.url)),
  snapshot: fileURLToPath(new URL('../dist/snapshot/index.mjs', import.meta.url)),
} as const;
const INVOKER = fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url));

for (const bundle of Object.values(BUNDLES)) {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build first (npx nx run lambdas:build)`);
}

/** An EventBridge scheduled event, as the constructs' schedules send. */
export const scheduledEvent = (time = new Date().toISOString()) => ({
  version: '0',
  id: 'b1c2d3e4-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time,
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/lamp-controller'],
  detail: {},
});

/** One invocation's output: its JSON log lines, EMF metric names, and result or error. */
export interface Invocation {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly logs: readonly Record<string, unknown>[];
  /** Metric name → values, from the EMF lines. */
  readonly metrics: Readonly<Record<string, readonly number[]>>;
  readonly result?: Record<string, unknown>;
  readonly error?: string;
  readonly elapsedMs: number;
}

/** Everything a bundled handler runs against: fake AWS over HTTP, dynalite, the config in SSM. */
export class LambdaWorld {
  private constructor(
    readonly config: DrConfig,
    readonly fake: FakeAws,
    readonly server: FakeAwsServer,
    readonly dynamo: LocalDynamo,
    readonly health: HealthEndpoint,
    /** The DR region's health path, which the failover's last step checks. */
    readonly drHealth: HealthEndpoint,
  ) {}

  static async start(overrides: Partial<DrConfigInput> = {}): Promise<LambdaWorld> {
    const [health, drHealth] = await Promise.all([HealthEndpoint.start(), HealthEndpoint.start()]);
    const config = parseConfig({
      ...referenceConfig,
      primary: { ...referenceConfig.primary, healthCheckUrl: health.url },
      secondary: { ...referenceConfig.secondary, healthCheckUrl: drHealth.url, dbKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000' },
      controller: { stateTableName: 'lamp-dr-state', topicArn: 'arn:aws:sns:us-east-1:123456789012:lamp-dr' },
      detection: { intervalSeconds: 5, probeTimeoutSeconds: 2, failureThreshold: 2, quorum: 2 },
      ...overrides,
    });
    const fake = new FakeAws(config, 'steady', { mockSdk: false });
    fake.parameters.set(`${config.secondary.region}:/dr/lamp/config`, JSON.stringify(config));
    fake.alarmStates.set(config.primary.availabilityAlarmName ?? '', 'OK');
    const dynamo = await startDynalite();
    await dynamo.createTable('lamp-dr-state');
    return new LambdaWorld(config, fake, await startFakeAwsServer(fake), dynamo, health, drHealth);
  }

  /** The environment the constructs give the function, pointed at the fakes. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      ...this.server.env,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamo.endpoint,
      AWS_REGION: this.config.secondary.region,
      DR_APP: 'lamp',
      DR_CONFIG_PARAMETER: '/dr/lamp/config',
      DR_STATE_TABLE: 'lamp-dr-state',
      DR_TOPIC_ARN: this.config.controller.topicArn,
      DR_LEASE_SECONDS: '15',
      POWERTOOLS_METRICS_NAMESPACE: 'PilotLightDR',
      ...extra,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /** Starts one invocation of a bundle in its own process; `onLog` sees each log line as it comes. */
  start(bundle: string, options: { event?: unknown; timeoutMs: number; env?: Record<string, string | undefined>; requestId?: string; onLog?: (line: Record<string, unknown>, child: ChildProcess) => void }): Promise<Invocation> {
    const started = Date.now();
    const child = spawn(process.execPath, [INVOKER, bundle, JSON.stringify(options.event === undefined ? scheduledEvent() : options.event), String(options.timeoutMs), options.requestId ?? crypto.randomUUID()], {
      env: this.env(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    const metrics: Record<string, number[]> = {};
    let result: Record<string, unknown> | undefined;
    let error: string | undefined;
    let stderr = '';
    const readLine = (line: string) => {
      if (line.startsWith('@@RESULT ')) result = JSON.parse(line.slice(9)) as Record<string, unknown>;
      else if (line.startsWith('@@ERROR ')) error = JSON.parse(line.slice(8)) as string;
      else if (line.startsWith('{')) {
        const entry = JSON.parse(line) as Record<string, unknown> & { _aws?: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
        if (entry._aws) {
          for (const m of entry._aws.CloudWatchMetrics.flatMap((d) => d.Metrics)) {
            const value = entry[m.Name];
            (metrics[m.Name] ??= []).push(...(Array.isArray(value) ? value : [value]).map(Number));
          }
        } else {
          logs.push(entry);
          options.onLog?.(entry, child);
        }
      } else if (line.trim()) stderr += `${line}\n`;
    };
    // Powertools writes errors to stderr and everything else to stdout: read both, line by line.
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(readLine);
      });
    }
    return new Promise((resolve) =>
      child.on('close', (code, signal) => {
        if (code !== 0 && code !== 1 && signal === null) throw new Error(`invocation crashed (${code}): ${stderr}`);
        resolve({ code, signal, logs, metrics, result, error, elapsedMs: Date.now() - started });
      }),
    );
  }

  /** The control record in the state table. */
  async control(): Promise<{ active: string; run?: { phase: string; runId: string } } | undefined> {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const out = await this.dynamo.client.send(new GetItemCommand({ TableName: 'lamp-dr-state', Key: { pk: { S: 'app#lamp#control' } }, ConsistentRead: true }));
    const value = out.Item?.value?.S;
    return value ? (JSON.parse(value) as { active: string; run?: { phase: string; runId: string } }) : undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([this.server.stop(), this.dynamo.stop(), this.health.stop(), this.drHealth.stop()]);
  }
}
