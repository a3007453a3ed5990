import type { Probe, ProbeResult, ProbeTarget } from '@dr/failover-core/ports';

/** Options of {@link HttpProbe}. */
export interface HttpProbeOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Largest body read when a body check is asked for. @default 65536 */
  readonly maxBodyBytes?: number;
}

/**
 * The `Probe` port over HTTP: one GET with a deadline, judged on a 2xx status and, when asked,
 * on the body containing a text. Redirects are not followed (a health path that redirects is
 * misconfigured). Never throws: a failure is a result.
 */
export class HttpProbe implements Probe {
  private readonly fetch: typeof fetch;
  private readonly maxBodyBytes: number;

  constructor(options: HttpProbeOptions = {}) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxBodyBytes = options.maxBodyBytes ?? 65_536;
  }

  /** Reads at most `limit` bytes of the body, so a huge answer cannot stall a probe. */
  private async readUpTo(response: Response, limit: number): Promise<string> {
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    await reader.cancel();
    return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
  }

  async check(target: ProbeTarget): Promise<ProbeResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(target.timeoutMs);
    try {
      const response = await this.fetch(target.url, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { 'user-agent': 'dr-probe/1', accept: '*/*' },
      });
      const ok2xx = response.status >= 200 && response.status < 300;
      if (!ok2xx || target.expectBody === undefined) {
        await response.body?.cancel();
        return { ok: ok2xx, status: response.status, latencyMs: elapsed(), error: ok2xx ? undefined : `HTTP ${response.status}` };
      }
      const body = await this.readUpTo(response, this.maxBodyBytes);
      const found = body.includes(target.expectBody);
      return {
        ok: found,
        status: response.status,
        latencyMs: elapsed(),
        error: found ? undefined : `body does not contain ${JSON.stringify(target.expectBody)}`,
      };
    } catch (e) {
      const timedOut = signal.aborted;
      return {
        ok: false,
        latencyMs: elapsed(),
        error: timedOut
          ? `timed out after ${target.timeoutMs}ms`
          : (((e as Error).cause as Error | undefined)?.message ?? (e as Error).message),
      };
    }
  }
}
