import { RegionUnreachableError, ResourceNotFoundError } from '@dr/failover-core/errors';
import {
  HEALTH_RECORD_ANSWERS,
  HEALTH_RECORD_TTL_SECONDS,
  type HealthCheckReading,
  type HealthCheckRef,
  type HealthChecks,
} from '@dr/failover-core/ports';
import { DirectDnsTransport, type HealthRecordTransport } from './health-record-lookup.js';

/**
 * How often each Route 53 checker checks the endpoint, as the constructs set it (`RequestInterval`
 * 10, "fast"): the newest check an answer reflects may be this old when Route 53 gives it.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 */
export const ROUTE53_CHECKER_INTERVAL_MS = 10_000;

/** Options of {@link DnsHealthChecks}. */
export interface DnsHealthChecksOptions {
  /**
   * DNS servers to ask directly, as `Resolver.setServers` takes them (`'10.0.0.2'`,
   * `'127.0.0.1:5353'`). Not with `transport`.
   * @default the system's (`/etc/resolv.conf`): in a Lambda in a VPC, the VPC resolver, the only
   * one that answers the private hosted zone
   */
  readonly servers?: readonly string[];
  /**
   * How the query reaches a resolver that answers the record: `HealthRecordReaderTransport` for
   * a caller outside the VPC (the failover controller), through the health record reader Lambda
   * inside it. Not with `servers`.
   * @default a {@link DirectDnsTransport} to `servers`
   */
  readonly transport?: HealthRecordTransport;
  /**
   * A reading not answered by then fails with `RegionUnreachableError`, however many tries and
   * servers the resolver had left (through the reader: the whole invocation's deadline).
   * @default 2000
   */
  readonly timeoutMs?: number;
  /**
   * The region whose resolver answers (where the controller or the reader runs), named in errors.
   * @default 'global' - Route 53's DNS is a global service
   */
  readonly region?: string;
  /** The TTL the constructs give the failover record pair. @default HEALTH_RECORD_TTL_SECONDS (5) */
  readonly recordTtlSeconds?: number;
  /** The checkers' interval, added to every reading's age. @default ROUTE53_CHECKER_INTERVAL_MS (10 s) */
  readonly checkerIntervalMs?: number;
}

/**
 * The `HealthChecks` port through DNS: one A query for the health check's failover record pair,
 * which Route 53 answers (its data plane, in every region) with
 * `HEALTH_RECORD_ANSWERS.healthy` while the check is healthy and `.unhealthy` otherwise, so the
 * verdict is read without Route 53's control plane in us-east-1. The reading's age is how long the
 * answer sat in the resolver's cache (the record's TTL minus the TTL left) plus one checker
 * interval. Nothing is cached here: each call is a fresh query (on a fresh resolver channel,
 * here or in the reader Lambda), so only the resolver's own cache, which counts the TTL down,
 * stands between a call and Route 53.
 *
 * The query is made here, or through a {@link HealthRecordTransport} such as the health record
 * reader Lambda in the VPC whose resolver answers the private zone (a caller outside it cannot
 * resolve the zone at all). Failures are the core's errors, and the detector reads each as `unknown`:
 * - no answer in `timeoutMs`, SERVFAIL, REFUSED, no server, or a reader that gave no answer:
 *   `RegionUnreachableError` (the DNS data plane was not read, so it says nothing about the primary);
 * - NXDOMAIN or NODATA, an answer other than the two addresses, or no reader function:
 *   `ResourceNotFoundError` (the record pair the config names is not there, such as a private
 *   hosted zone not associated with the VPC: a configuration problem a retry will not fix).
 * Anything else is rethrown untouched.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
 */
export class DnsHealthChecks implements HealthChecks {
  private readonly transport: HealthRecordTransport;
  private readonly timeoutMs: number;
  private readonly region: string;
  private readonly recordTtlSeconds: number;
  private readonly checkerIntervalMs: number;

  constructor(options: DnsHealthChecksOptions = {}) {
    if (options.transport && options.servers && options.servers.length > 0) {
      throw new Error('DnsHealthChecks: give either servers (a direct DNS query) or transport, not both');
    }
    this.transport = options.transport ?? new DirectDnsTransport(options.servers);
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.region = options.region ?? 'global';
    this.recordTtlSeconds = options.recordTtlSeconds ?? HEALTH_RECORD_TTL_SECONDS;
    this.checkerIntervalMs = options.checkerIntervalMs ?? ROUTE53_CHECKER_INTERVAL_MS;
  }

  /** Route 53's verdict on the health check, as DNS answers it now; throws when DNS gives no verdict (see the class). */
  async status(ref: HealthCheckRef): Promise<HealthCheckReading> {
    const lookup = await this.transport.lookup(ref.recordName, this.timeoutMs);
    if ('error' in lookup) {
      const options = lookup.cause === undefined ? undefined : { cause: lookup.cause };
      if (lookup.error === 'unreachable') {
        throw new RegionUnreachableError(
          this.region,
          `DNS query for ${ref.recordName} (Route 53 health check ${ref.healthCheckId}): ${lookup.message}`,
          options,
        );
      }
      throw new ResourceNotFoundError(
        `Route 53 health record ${ref.recordName} (health check ${ref.healthCheckId}; ${lookup.message})`,
        this.region,
        options,
      );
    }
    const [answer, ...others] = lookup.addresses;
    const healthy = answer?.address === HEALTH_RECORD_ANSWERS.healthy;
    if (!answer || others.length > 0 || (!healthy && answer.address !== HEALTH_RECORD_ANSWERS.unhealthy)) {
      const got = lookup.addresses.map((a) => a.address).join(', ');
      throw new ResourceNotFoundError(
        `the failover record pair of Route 53 health check ${ref.healthCheckId} at ${ref.recordName} (it answers ${got || 'nothing'}, not ${HEALTH_RECORD_ANSWERS.healthy} or ${HEALTH_RECORD_ANSWERS.unhealthy}, through ${this.transport.description})`,
        this.region,
      );
    }
    // A resolver may answer a TTL above the record's (a record since changed): never a negative age.
    const cachedMs = Math.max(0, this.recordTtlSeconds - answer.ttl) * 1000;
    return { healthy, ageMs: cachedMs + this.checkerIntervalMs };
  }
}
