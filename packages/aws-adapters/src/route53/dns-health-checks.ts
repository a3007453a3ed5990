import { Resolver } from 'node:dns/promises';
import { RegionUnreachableError, ResourceNotFoundError } from '@dr/failover-core/errors';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS, type HealthCheckReading, type HealthCheckRef, type HealthChecks } from '@dr/failover-core/ports';

/**
 * How often each Route 53 checker checks the endpoint, as the constructs set it (`RequestInterval`
 * 10, "fast"): the newest check an answer reflects may be this old when Route 53 gives it.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 */
export const ROUTE53_CHECKER_INTERVAL_MS = 10_000;

/** Options of {@link DnsHealthChecks}. */
export interface DnsHealthChecksOptions {
  /**
   * DNS servers to ask, as `Resolver.setServers` takes them (`'10.0.0.2'`, `'127.0.0.1:5353'`).
   * @default the system's (`/etc/resolv.conf`): in a Lambda in a VPC, the VPC resolver, the only
   * one that answers the private hosted zone
   */
  readonly servers?: readonly string[];
  /**
   * A query not answered by then is cancelled and fails with `RegionUnreachableError`, however
   * many tries and servers the resolver had left.
   * @default 2000
   */
  readonly timeoutMs?: number;
  /**
   * The region whose resolver answers (where the controller runs), named in errors.
   * @default 'global' - Route 53's DNS is a global service
   */
  readonly region?: string;
  /** The TTL the constructs give the failover record pair. @default HEALTH_RECORD_TTL_SECONDS (5) */
  readonly recordTtlSeconds?: number;
  /** The checkers' interval, added to every reading's age. @default ROUTE53_CHECKER_INTERVAL_MS (10 s) */
  readonly checkerIntervalMs?: number;
}

/**
 * Error codes of `node:dns` that mean no answer came: nothing in time (`ETIMEOUT`, or
 * `ECANCELLED` at our deadline), no server (`ECONNREFUSED`), or a server that could not or would
 * not answer (`ESERVFAIL`: the resolver could not reach Route 53; `EREFUSED`, `EBADRESP`, `EOF`).
 */
const NO_ANSWER = new Set(['ETIMEOUT', 'ECANCELLED', 'ECONNREFUSED', 'ESERVFAIL', 'EREFUSED', 'EBADRESP', 'EOF']);

/** Error codes of `node:dns` that mean the name has no A record: NXDOMAIN, or the name exists with no A record (NODATA). */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * The `HealthChecks` port through DNS: one A query for the health check's failover record pair,
 * which Route 53 answers (its data plane, in every region) with
 * `HEALTH_RECORD_ANSWERS.healthy` while the check is healthy and `.unhealthy` otherwise, so the
 * verdict is read without Route 53's control plane in us-east-1. The reading's age is how long the
 * answer sat in the resolver's cache (the record's TTL minus the TTL left) plus one checker
 * interval. Nothing is cached here: each call builds a fresh resolver channel, so only the
 * resolver's own cache, which counts the TTL down, stands between a call and Route 53.
 *
 * Failures are the core's errors, and the detector reads each as `unknown`:
 * - no answer in `timeoutMs`, SERVFAIL, REFUSED or no server: `RegionUnreachableError` (the DNS
 *   data plane did not answer, so it says nothing about the primary);
 * - NXDOMAIN or NODATA, or an answer other than the two addresses: `ResourceNotFoundError`
 *   (the record pair the config names is not there, such as a private hosted zone not associated
 *   with the VPC: a configuration problem a retry will not fix).
 * Anything else is rethrown untouched.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
 */
export class DnsHealthChecks implements HealthChecks {
  private readonly servers: readonly string[] | undefined;
  private readonly timeoutMs: number;
  private readonly region: string;
  private readonly recordTtlSeconds: number;
  private readonly checkerIntervalMs: number;

  constructor(options: DnsHealthChecksOptions = {}) {
    this.servers = options.servers && options.servers.length > 0 ? [...options.servers] : undefined;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.region = options.region ?? 'global';
    this.recordTtlSeconds = options.recordTtlSeconds ?? HEALTH_RECORD_TTL_SECONDS;
    this.checkerIntervalMs = options.checkerIntervalMs ?? ROUTE53_CHECKER_INTERVAL_MS;
  }

  /** Route 53's verdict on the health check, as DNS answers it now; throws when DNS gives no verdict (see the class). */
  async status(ref: HealthCheckRef): Promise<HealthCheckReading> {
    const answers = await this.query(ref);
    const [answer, ...others] = answers;
    const healthy = answer?.address === HEALTH_RECORD_ANSWERS.healthy;
    if (!answer || others.length > 0 || (!healthy && answer.address !== HEALTH_RECORD_ANSWERS.unhealthy)) {
      const got = answers.map((a) => a.address).join(', ');
      throw new ResourceNotFoundError(
        `the failover record pair of Route 53 health check ${ref.healthCheckId} at ${ref.recordName} (it answers ${got || 'nothing'}, not ${HEALTH_RECORD_ANSWERS.healthy} or ${HEALTH_RECORD_ANSWERS.unhealthy})`,
        this.region,
      );
    }
    // A resolver may answer a TTL above the record's (a record since changed): never a negative age.
    const cachedMs = Math.max(0, this.recordTtlSeconds - answer.ttl) * 1000;
    return { healthy, ageMs: cachedMs + this.checkerIntervalMs };
  }

  /** One A query with a hard deadline: the resolver's own timeouts and retries are cut short at `timeoutMs`. */
  private async query(ref: HealthCheckRef): Promise<{ address: string; ttl: number }[]> {
    // c-ares retries a query on its own: give it two tries within the deadline, so one lost UDP
    // packet is not an unknown reading.
    const resolver = new Resolver({ timeout: Math.max(50, Math.floor(this.timeoutMs / 2)), tries: 2 });
    if (this.servers) resolver.setServers(this.servers);
    const timer = setTimeout(() => resolver.cancel(), this.timeoutMs);
    try {
      return await resolver.resolve4(ref.recordName, { ttl: true });
    } catch (e) {
      const code = (e as { code?: string } | undefined)?.code ?? '';
      const asked = this.servers?.join(', ') ?? 'the system resolver';
      if (NO_ANSWER.has(code)) {
        const what = code === 'ECANCELLED' ? `did not answer within ${this.timeoutMs} ms` : `failed (${code})`;
        throw new RegionUnreachableError(this.region, `DNS query for ${ref.recordName} (Route 53 health check ${ref.healthCheckId}): ${asked} ${what}`, { cause: e });
      }
      if (NO_RECORD.has(code)) {
        throw new ResourceNotFoundError(`Route 53 health record ${ref.recordName} (health check ${ref.healthCheckId}; ${code === 'ENOTFOUND' ? 'NXDOMAIN' : 'no A record'} from ${asked})`, this.region, { cause: e });
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
