import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { Probe, ProbeResult, ProbeTarget } from '@dr/failover-core/ports';

/**
 * What a function named by a region's `healthCheckVia` (the health record reader) takes to make
 * one HTTP check from inside its VPC: `ProbeTarget` with its kind, answered by a `ProbeResult`.
 */
export interface HttpCheckEvent extends ProbeTarget {
  readonly kind: 'http';
}

/**
 * Time the invocation may take beyond the check's own deadline: the Invoke round trip and the
 * start of an execution environment when none is warm. UNCONFIRMED: AWS publishes no figure for
 * Invoke overhead; a warm arm64 Node function answers in tens of ms.
 */
export const PROBE_INVOKE_OVERHEAD_MS = 1_000;

/** Options of {@link LambdaProbe}. */
export type LambdaProbeOptions = {
  /** The function's name or ARN (a region's `healthCheckVia`). */
  readonly functionName: string;
  /**
   * The region the function runs in.
   * @default the region in `functionName` when it is an ARN, else the client's (`AWS_REGION`)
   */
  readonly region?: string;
} & (
  | { readonly awsSdkV3Client: LambdaClient; readonly clientConfig?: never }
  | { readonly clientConfig?: LambdaClientConfig; readonly awsSdkV3Client?: never }
);

/** True for an answer in the shape of a {@link ProbeResult}. */
function isProbeResult(value: unknown): value is ProbeResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.ok === 'boolean' &&
    typeof r.latencyMs === 'number' &&
    (r.status === undefined || typeof r.status === 'number') &&
    (r.error === undefined || typeof r.error === 'string')
  );
}

/**
 * The `Probe` port through a Lambda function inside a VPC, for a URL only reachable from there
 * (an internal load balancer, whose DNS name resolves to private addresses): one synchronous
 * `Invoke` (RequestResponse) of an {@link HttpCheckEvent} per check, abandoned at the check's
 * deadline plus {@link PROBE_INVOKE_OVERHEAD_MS}. The function's answer passes through. Never
 * throws: an invocation that gives no answer (no answer in time, a network, throttling or
 * Lambda service error, a missing function, a function error, an answer not in the
 * `ProbeResult` shape) is `{ ok: false, error: 'could not reach <url> through <function>: ...' }`.
 * The caller needs `lambda:InvokeFunction` on the function.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-caveats.html
 */
export class LambdaProbe implements Probe {
  private readonly client: LambdaClient;
  /** The function's name or ARN. */
  readonly functionName: string;

  constructor(options: LambdaProbeOptions) {
    if (!options.functionName.trim())
      throw new Error('LambdaProbe: functionName must name the function that makes the check (a name or an ARN); got an empty string');
    this.functionName = options.functionName.trim();
    const parts = this.functionName.split(':');
    const region = options.region ?? (parts[0] === 'arn' && parts[3] ? parts[3] : undefined);
    this.client = options.awsSdkV3Client ?? new LambdaClient({ ...options.clientConfig, ...(region ? { region } : {}) });
  }

  /** Asks the function to check `target`; see the class for what a failed invocation answers. */
  async check(target: ProbeTarget): Promise<ProbeResult> {
    const started = performance.now();
    const failed = (why: string): ProbeResult => ({
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: `could not reach ${target.url} through ${this.functionName}: ${why}`,
    });
    const event: HttpCheckEvent = {
      kind: 'http',
      url: target.url,
      timeoutMs: target.timeoutMs,
      ...(target.expectBody === undefined ? {} : { expectBody: target.expectBody }),
    };
    const limitMs = target.timeoutMs + PROBE_INVOKE_OVERHEAD_MS;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limitMs);
    try {
      const out = await this.client.send(
        new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: JSON.stringify(event) }),
        { abortSignal: abort.signal },
      );
      const text = out.Payload ? out.Payload.transformToString() : '';
      if (out.FunctionError) {
        let detail = text || out.FunctionError;
        try {
          const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
          detail = `${error.errorType ?? out.FunctionError}: ${error.errorMessage ?? text}`;
        } catch {
          // Not Lambda's JSON error object: the raw text says what there is.
        }
        return failed(`${out.FunctionError} function error, ${detail}`);
      }
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        return failed(`it answered something not JSON: ${JSON.stringify(text.slice(0, 200))}`);
      }
      if (!isProbeResult(answer)) return failed(`it answered ${text.slice(0, 200)}, not a probe result`);
      return { ok: answer.ok, status: answer.status, latencyMs: answer.latencyMs, error: answer.error };
    } catch (e) {
      if (abort.signal.aborted) return failed(`no answer within ${limitMs} ms`);
      const name = (e as { name?: string } | undefined)?.name ?? 'Error';
      return failed(`${name}: ${(e as Error | undefined)?.message ?? String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The `Probe` port that sends each URL named in `routes` through its probe (a
 * {@link LambdaProbe} for a region behind an internal load balancer) and every other URL to
 * `direct`. URLs are matched exactly, as the config spells them.
 */
export class RoutedProbe implements Probe {
  constructor(
    private readonly direct: Probe,
    private readonly routes: ReadonlyMap<string, Probe>,
  ) {}

  /** Checks `target` through the probe its URL is routed to, else directly. */
  check(target: ProbeTarget): Promise<ProbeResult> {
    return (this.routes.get(target.url) ?? this.direct).check(target);
  }
}
