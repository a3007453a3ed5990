import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

// The same relative path from src/ (tests run from source) and dist/ (consumers run the build).
const INVOKER = fileURLToPath(new URL('../bin/invoke-lambda.mjs', import.meta.url));

/** How one invocation of a bundled handler is made. */
export interface InvokeLambdaOptions {
  /** The event the handler receives. */
  readonly event: unknown;
  /**
   * The invocation's timeout: the context's deadline. The process is not killed at it unless `killAtTimeout`; the handler is trusted to
   * stop in time, which is what the tests check.
   */
  readonly timeoutMs: number;
  /** Kill the process (SIGKILL) at `timeoutMs`, as Lambda ends an invocation at its timeout. @default false */
  readonly killAtTimeout?: boolean;
  /** The process's whole environment (nothing is inherited: a test sets every variable the function would have). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default a random UUID */
  readonly requestId?: string;
  /** The function's name in the context. @default 'dr-test' */
  readonly functionName?: string;
  /** Sees each JSON log line as it comes, with the process (to kill it mid-invocation). */
  readonly onLog?: (line: Readonly<Record<string, unknown>>, child: ChildProcess) => void;
}

/** What one invocation printed and returned. */
export interface LambdaInvocation {
  /** The process's exit code: 0 when the handler returned, 1 when it threw; null when killed. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The JSON log lines, EMF lines excepted. */
  readonly logs: readonly Readonly<Record<string, unknown>>[];
  /** Metric name → the values published, from the EMF lines. */
  readonly metrics: Readonly<Record<string, readonly number[]>>;
  /** What the handler returned. */
  readonly result?: Readonly<Record<string, unknown>>;
  /** The message of what the handler threw. */
  readonly error?: string;
  readonly elapsedMs: number;
}

/**
 * An EventBridge scheduled event, as the constructs' schedules send one to the failover
 * controller in `region` (a fresh event id each time, as EventBridge gives).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
export function scheduledEvent(region = 'us-east-1', time = new Date().toISOString()): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region,
    resources: [`arn:aws:events:${region}:123456789012:rule/lamp-controller`],
    detail: {},
  };
}

/** What one process printed, and how it ended. */
export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/**
 * Runs a Node script (such as the built `dr`) as its own process with exactly `env`, as a person
 * or a scheduler would; `onOutput` sees stdout as it grows and may signal the process.
 */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly onOutput?: (stdout: string, signal: (s: NodeJS.Signals) => void) => void;
  },
): Promise<ProcessRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onOutput?.(stdout, (s) => child.kill(s));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: Date.now() - started })));
}

interface EmfLine {
  readonly _aws?: { readonly CloudWatchMetrics: readonly { readonly Metrics: readonly { readonly Name: string }[] }[] };
}

/**
 * Invokes a bundled handler as the Lambda runtime does: a fresh Node process imports the bundle
 * and calls its `handler` once with the event and a context whose deadline is `timeoutMs` away.
 * Powertools writes errors to stderr and the rest to stdout; both are read line by line. Rejects
 * when the process dies other than by the handler returning, throwing or a signal (a crash of the
 * bundle itself), with what it wrote to stderr.
 */
export function invokeLambda(bundle: string, options: InvokeLambdaOptions): Promise<LambdaInvocation> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      INVOKER,
      bundle,
      JSON.stringify(options.event),
      String(options.timeoutMs),
      options.requestId ?? randomUUID(),
      options.functionName ?? 'dr-test',
    ],
    {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  const metrics: Record<string, number[]> = {};
  let result: Record<string, unknown> | undefined;
  let error: string | undefined;
  let stderr = '';
  const read = (line: string): void => {
    if (line.startsWith('@@RESULT ')) result = JSON.parse(line.slice(9)) as Record<string, unknown>;
    else if (line.startsWith('@@ERROR ')) error = JSON.parse(line.slice(8)) as string;
    else if (line.startsWith('{')) {
      const entry = JSON.parse(line) as Record<string, unknown> & EmfLine;
      if (entry._aws) {
        for (const { Name } of entry._aws.CloudWatchMetrics.flatMap((d) => d.Metrics)) {
          const value = entry[Name];
          (metrics[Name] ??= []).push(...(Array.isArray(value) ? value : [value]).map(Number));
        }
      } else {
        logs.push(entry);
        options.onLog?.(entry, child);
      }
    } else if (line.trim()) stderr += `${line}\n`;
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(read);
    });
  }
  const killer = options.killAtTimeout ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
  return new Promise((resolve, reject) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0 && code !== 1 && signal === null) reject(new Error(`the invocation of ${bundle} crashed (exit ${code}): ${stderr}`));
      else resolve({ code, signal, logs, metrics, result, error, elapsedMs: Date.now() - started });
    }),
  );
}
