import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS } from '@dr/failover-core/ports';
import dnsPacket from 'dns-packet';
import type { FakeAws } from './fake-aws.js';

/** DNS response codes the fake answers with (RFC 1035 §4.1.1). */
const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, refused: 5 } as const;

/** How {@link FakeDns} fails every query, for tests of a resolver that does not answer. */
export type FakeDnsFailure = 'none' | 'silent' | 'servfail' | 'refused';

/** Options of {@link FakeDns.start}. */
export interface FakeDnsOptions {
  /**
   * How long a region must have been in an outage ({@link FakeAws.outages}) before its health
   * record answers unhealthy: Route 53's checkers change their verdict only after
   * `FailureThreshold` failed checks in a row (3 at 10 s intervals as the constructs set them,
   * the first failing as the outage begins). Recovery is immediate: the fake does not model the
   * passing checks Route 53 also counts.
   * @default 20000
   */
  readonly failureDelayMs?: number;
  /** TTL of the health records: how long the fake's cache keeps an answer. @default HEALTH_RECORD_TTL_SECONDS (5) */
  readonly ttlSeconds?: number;
}

interface Cached {
  readonly address: string;
  readonly fetchedAt: number;
}

const normalise = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/**
 * A DNS server on 127.0.0.1 (UDP, a free port) that answers A queries for the Route 53 health
 * records of a {@link FakeAws} world as the VPC resolver does in front of a failover record
 * pair: a region's `route53HealthCheck.recordName` answers `HEALTH_RECORD_ANSWERS.healthy`, or
 * `.unhealthy` once the region has been in an outage for `failureDelayMs`. Like a caching
 * resolver it keeps an answer for the record's TTL and counts its TTL down (whole seconds, by
 * `Date.now()`, so `vi.setSystemTime` moves it), then fetches the truth again. Any other name
 * is NXDOMAIN; another type for a health record is an empty answer (NODATA).
 *
 * ```ts
 * const dns = await FakeDns.start(fake, { failureDelayMs: 0 });
 * createAwsPorts(config, { dnsServers: [dns.server] });
 * ```
 */
export class FakeDns {
  /** How every query fails: `silent` (no answer), `servfail`, `refused`; `none` answers. */
  failure: FakeDnsFailure = 'none';
  /** Addresses that replace the truth for a name, health record or not (such as a foreign address: a misconfigured record). */
  readonly overrides = new Map<string, string>();
  /** Every question received, in order: `A lamp-primary.health.dr.internal`. */
  readonly queries: string[] = [];
  private readonly cache = new Map<string, Cached>();
  private readonly failureDelayMs: number;
  private readonly ttlSeconds: number;

  private constructor(
    private readonly fake: FakeAws,
    private readonly socket: Socket,
    options: FakeDnsOptions,
  ) {
    this.failureDelayMs = options.failureDelayMs ?? 20_000;
    this.ttlSeconds = options.ttlSeconds ?? HEALTH_RECORD_TTL_SECONDS;
  }

  /** Serves the health records of `fake`'s config on 127.0.0.1 at a free UDP port. */
  static async start(fake: FakeAws, options: FakeDnsOptions = {}): Promise<FakeDns> {
    const socket = createSocket('udp4');
    const dns = new FakeDns(fake, socket, options);
    socket.on('message', (message, peer) => dns.answer(message, peer));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return dns;
  }

  /** The server as `Resolver.setServers` takes it: `127.0.0.1:<port>`. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The UDP port it listens on. */
  get port(): number {
    return (this.socket.address() as AddressInfo).port;
  }

  /** Forgets every cached answer, as a restarted resolver would. */
  flush(): void {
    this.cache.clear();
  }

  /** Closes the socket. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** The region whose health record has this name, if any. */
  private regionOf(name: string): string | undefined {
    const { primary, secondary } = this.fake.topology;
    return [primary, secondary].find((r) => r.route53HealthCheck && normalise(r.route53HealthCheck.recordName) === name)?.region;
  }

  /** What Route 53 answers for the record now, from the health of its region. */
  private truth(name: string, region: string | undefined, now: number): string {
    const override = this.overrides.get(name);
    if (override !== undefined || region === undefined) return override ?? HEALTH_RECORD_ANSWERS.healthy;
    const since = this.fake.outages.since(region);
    return since !== undefined && now - since >= this.failureDelayMs ? HEALTH_RECORD_ANSWERS.unhealthy : HEALTH_RECORD_ANSWERS.healthy;
  }

  /** The cached answer and its remaining TTL, fetching the truth when the cache has none left. */
  private lookup(name: string, region: string | undefined): { address: string; ttl: number } {
    const now = Date.now();
    let entry = this.cache.get(name);
    if (!entry || now - entry.fetchedAt >= this.ttlSeconds * 1000) {
      entry = { address: this.truth(name, region, now), fetchedAt: now };
      this.cache.set(name, entry);
    }
    return { address: entry.address, ttl: this.ttlSeconds - Math.floor((now - entry.fetchedAt) / 1000) };
  }

  private answer(message: Buffer, peer: RemoteInfo): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: a resolver drops it
    }
    const question = query.questions?.[0];
    if (question) this.queries.push(`${question.type} ${question.name}`);
    if (this.failure === 'silent') return;
    const reply = (rcode: number, answers: dnsPacket.Answer[] = []) => {
      const flags = dnsPacket.RECURSION_AVAILABLE | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | rcode;
      this.socket.send(
        dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions, answers }),
        peer.port,
        peer.address,
      );
    };
    if (this.failure !== 'none') return reply(this.failure === 'servfail' ? RCODE.servFail : RCODE.refused);
    if (!question || query.questions?.length !== 1) return reply(RCODE.formErr);
    const name = normalise(question.name);
    const region = this.regionOf(name);
    if (region === undefined && !this.overrides.has(name)) return reply(RCODE.nxDomain);
    if (question.type !== 'A') return reply(RCODE.noError);
    const { address, ttl } = this.lookup(name, region);
    reply(RCODE.noError, [{ type: 'A', class: 'IN', name: question.name, ttl, data: address }]);
  }
}
