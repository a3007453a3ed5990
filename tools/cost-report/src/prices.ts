/**
 * The list prices the report uses (USD, on-demand, no discounts), each with its unit, where it
 * was read and when. A small table on purpose: only what the templates of this project declare.
 * A price missing for a region is refused, never guessed (see {@link priceOf}); RDS instance and
 * storage prices come from `@dr/failover-core`'s own table (`estimateMonthlyCost`).
 *
 * Where AWS's own pricing page could not be read in the stored copies (its rate tables are
 * rendered client-side), the figure is a third-party transcription and says so; figures no
 * source here confirmed for a region are marked UNCONFIRMED rather than left out, so the lead can
 * check them against https://calculator.aws/ before quoting them.
 */
import { NoPriceError } from './errors.js';
import { CW_PAGE, DDB_PAGE, LAMBDA_PAGE, R53_PAGE, SHARED, type Price, type PriceEntry } from './price-sources.js';
import { AURORA_PRICES } from './prices-aurora.js';
import { INFRASTRUCTURE_PRICES } from './prices-infrastructure.js';
import { SERVICE_PRICES } from './prices-services.js';

export type { Price, PriceEntry } from './price-sources.js';

/** Every price the report may need, by key. */
export const PRICES = { ...INFRASTRUCTURE_PRICES, ...SERVICE_PRICES, ...AURORA_PRICES } as const satisfies Record<string, PriceEntry>;

/** The key of a price in {@link PRICES}. */
export type PriceKey = keyof typeof PRICES;

/** A price looked up for a region, with the key it was found under (for the report's sources). */
export interface PriceUsed extends Price {
  readonly key: PriceKey;
  /** The region it applies to, or `global`. */
  readonly region: string;
}

/**
 * The price of `key` in `region`; a global price applies everywhere. A region the table does not
 * price is refused with an error naming both, since a guessed price would read as a real one.
 */
export function priceOf(key: PriceKey, region: string, neededBy: string, table: Readonly<Record<string, PriceEntry>> = PRICES): PriceUsed {
  const entry = table[key];
  if (entry && 'global' in entry) return { ...entry.global, key, region: 'global' };
  const price = entry?.byRegion[region];
  if (!price) throw new NoPriceError(region, key, neededBy);
  return { ...price, key, region };
}

/** The price key of an instance type's hour, if the table has that type in any region. */
export function instanceHourKey(instanceType: string): PriceKey | undefined {
  const key = `ec2-${instanceType}-hour`;
  return key in PRICES ? (key as PriceKey) : undefined;
}

/** The price key of an Aurora MySQL instance class's hour (`db.r6g.large`), if the table has it. */
export function auroraInstanceHourKey(instanceClass: string): PriceKey | undefined {
  const key = `aurora-mysql-${instanceClass}-hour`;
  return key in PRICES ? (key as PriceKey) : undefined;
}

/** The price key of an EBS volume type's GB-month, if the table has that type. */
export function volumeGbMonthKey(volumeType: string): PriceKey | undefined {
  const key = `ebs-${volumeType}-gb-month`;
  return key in PRICES ? (key as PriceKey) : undefined;
}

/** A free tier, stated beside the figures and never subtracted from them. */
export interface FreeTier {
  readonly service: string;
  readonly allowance: string;
  readonly source: string;
}

/** The free tiers that touch what the templates declare (AWS Free Tier "always free" offers and per-service allowances). */
export const FREE_TIERS: readonly FreeTier[] = [
  {
    service: 'Lambda',
    allowance: '1 M requests and 400,000 GB-seconds a month (x86_64 and arm64 together)',
    source: `${LAMBDA_PAGE} via api-evangelist/aws-lambda plans (read 2026-09-20)`,
  },
  {
    service: 'CloudWatch',
    allowance: '10 custom metrics, 10 alarm metrics, 3 dashboards of up to 50 metrics, 5 GB of log ingestion and storage a month',
    source: `${CW_PAGE} (AWS Free Tier); UNCONFIRMED in the stored copies`,
  },
  { service: 'Route 53', allowance: '50 health checks of AWS endpoints (basic part only)', source: R53_PAGE },
  { service: 'KMS', allowance: '20,000 requests a month', source: `https://aws.amazon.com/kms/pricing/ via ${SHARED}` },
  { service: 'DynamoDB', allowance: '25 GB of storage a month', source: `${DDB_PAGE}; UNCONFIRMED in the stored copies` },
  {
    service: 'Elastic Load Balancing',
    allowance: '750 ALB-hours and 15 LCUs a month for 12 months after sign-up (new accounts only)',
    source: 'https://aws.amazon.com/elasticloadbalancing/classicloadbalancer/pricing/ ("AWS Free Tier")',
  },
];
