import { Resolver } from 'node:dns/promises';

/** One address a health record answered, with the TTL the resolver gave it (seconds left in its cache). */
export interface HealthRecordAddress {
  readonly address: string;
  readonly ttl: number;
}

/**
 * What one A query for a Route 53 health record gave, as plain JSON (the health record reader
 * Lambda returns exactly this): the addresses, or why there were none.
 * - `not-found`: NXDOMAIN, or the name has no A record (NODATA): the record pair is not there or
 *   its zone is not associated with the asking VPC; a retry will not fix it.
 * - `unreachable`: no answer within the deadline, no server, or a server that could not or would
 *   not answer: says nothing about the checked endpoint.
 */
export type HealthRecordLookup =
  { readonly addresses: readonly HealthRecordAddress[] } | { readonly error: 'not-found' | 'unreachable'; readonly message: string };

/** A {@link HealthRecordLookup} made in this process: a failure keeps the DNS error as `cause`. */
export type LocalHealthRecordLookup =
  | { readonly addresses: readonly HealthRecordAddress[] }
  | { readonly error: 'not-found' | 'unreachable'; readonly message: string; readonly cause?: unknown };

/** Options of {@link lookupHealthRecord}. */
export interface HealthRecordLookupOptions {
  /**
   * DNS servers to ask, as `Resolver.setServers` takes them (`'10.0.0.2'`, `'127.0.0.1:5353'`).
   * @default the system's (`/etc/resolv.conf`): in a Lambda in a VPC, the VPC resolver, the only
   * one that answers the private hosted zone
   */
  readonly servers?: readonly string[] | undefined;
  /** A query not answered by then is cancelled and reads `unreachable`, however many tries and servers the resolver had left. */
  readonly timeoutMs: number;
}

/**
 * Error codes of `node:dns` that mean no answer came: nothing in time (`ETIMEOUT`, or
 * `ECANCELLED` at our deadline), no server (`ECONNREFUSED`), or a server that could not or would
 * not answer (`ESERVFAIL`: the resolver could not reach Route 53; `EREFUSED`, `EBADRESP`, `EOF`).
 * @see https://nodejs.org/api/dns.html#error-codes
 */
const NO_ANSWER = new Set(['ETIMEOUT', 'ECANCELLED', 'ECONNREFUSED', 'ESERVFAIL', 'EREFUSED', 'EBADRESP', 'EOF']);

/** Error codes of `node:dns` that mean the name has no A record: NXDOMAIN, or the name exists with no A record (NODATA). */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * One A query for `name` on a fresh resolver channel, with its TTLs, under a hard deadline: the
 * resolver's own timeouts and retries are cut short at `timeoutMs`. Nothing is cached here, so
 * only the resolver's own cache, which counts the TTL down, stands between a call and Route 53.
 * DNS outcomes are results, never thrown (see {@link HealthRecordLookup}); any other error
 * (a malformed name, say) is rethrown untouched.
 */
export async function lookupHealthRecord(name: string, options: HealthRecordLookupOptions): Promise<LocalHealthRecordLookup> {
  const servers = options.servers && options.servers.length > 0 ? [...options.servers] : undefined;
  const { timeoutMs } = options;
  // c-ares retries a query on its own: give it two tries within the deadline, so one lost UDP
  // packet is not an unknown reading.
  const resolver = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 2)), tries: 2 });
  if (servers) resolver.setServers(servers);
  const timer = setTimeout(() => resolver.cancel(), timeoutMs);
  try {
    return { addresses: await resolver.resolve4(name, { ttl: true }) };
  } catch (e) {
    const code = (e as { code?: string } | undefined)?.code ?? '';
    const asked = servers?.join(', ') ?? 'the system resolver';
    if (NO_ANSWER.has(code)) {
      return {
        error: 'unreachable',
        message: `${asked} ${code === 'ECANCELLED' ? `did not answer within ${timeoutMs} ms` : `failed (${code})`}`,
        cause: e,
      };
    }
    if (NO_RECORD.has(code))
      return { error: 'not-found', message: `${code === 'ENOTFOUND' ? 'NXDOMAIN' : 'no A record'} from ${asked}`, cause: e };
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How {@link DnsHealthChecks} reaches the resolver that answers the health records: the A query
 * made here ({@link DirectDnsTransport}), or through a Lambda in the VPC whose resolver answers
 * the private zone (`HealthRecordReaderTransport`). DNS outcomes are results, not errors.
 */
export interface HealthRecordTransport {
  /** Where lookups go, named in errors (`127.0.0.1:5353`, `the health record reader dr-reader`). */
  readonly description: string;
  /** The A record of `name`, or why there is none, within `timeoutMs`. */
  lookup(name: string, timeoutMs: number): Promise<LocalHealthRecordLookup>;
}

/** The A query made in this process ({@link lookupHealthRecord}): for a caller inside the VPC, tests and the `dr` command. */
export class DirectDnsTransport implements HealthRecordTransport {
  private readonly servers: readonly string[] | undefined;

  /** @param servers as `Resolver.setServers` takes them; the system's when empty or undefined */
  constructor(servers?: readonly string[]) {
    this.servers = servers && servers.length > 0 ? [...servers] : undefined;
  }

  get description(): string {
    return this.servers?.join(', ') ?? 'the system resolver';
  }

  lookup(name: string, timeoutMs: number): Promise<LocalHealthRecordLookup> {
    return lookupHealthRecord(name, { servers: this.servers, timeoutMs });
  }
}
