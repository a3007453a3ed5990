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

/** One price: how much, per what, where it was read and when. */
export interface Price {
  readonly usd: number;
  /** What one `usd` buys, such as `NAT gateway-hour` or `GB-month`. */
  readonly unit: string;
  /** A URL or document, and how it was read. */
  readonly source: string;
  /** The day it was read (ISO date). */
  readonly read: string;
}

/** A price that is the same everywhere (Route 53, Global Accelerator), or one per region. */
export type PriceEntry = { readonly global: Price } | { readonly byRegion: Readonly<Record<string, Price>> };

const READ = '2026-11-29';
/** Prices that §9 of the shared AWS behaviours notes records, with their sources. */
const SHARED = 'shared/aws-behaviours/traffic-detection-and-cost.md §9';
const VPC_PAGE = 'https://aws.amazon.com/vpc/pricing/';
const EC2_PAGE = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EBS_PAGE = 'https://aws.amazon.com/ebs/pricing/';
const ELB_PAGE = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const CW_PAGE = 'https://aws.amazon.com/cloudwatch/pricing/';
const R53_PAGE =
  'https://aws.amazon.com/route53/pricing/ as transcribed verbatim by api-evangelist/amazon-route53-resolver plans/amazon-route53-resolver-plans-pricing.yml (read 2026-09-20)';
const LAMBDA_PAGE = 'https://aws.amazon.com/lambda/pricing/';
const LAMBDA_TABLE =
  'artillery@2.0.28 lib/platform/aws-lambda/prices.js (https://app.unpkg.com/artillery@2.0.28/files/lib/platform/aws-lambda/prices.js): base x86_64 0.0000166670, arm64 0.0000133340 per GB-s, the base applying to every region it does not list (eu-west-1 and us-east-1 are not listed)';
const DDB_PAGE = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';

const both = (price: Price): PriceEntry => ({ byRegion: { 'us-east-1': price, 'eu-west-1': price } });

/** Every price the report may need, by key. */
export const PRICES = {
  'nat-gateway-hour': {
    byRegion: {
      'us-east-1': {
        usd: 0.045,
        unit: 'NAT gateway-hour',
        source: `${VPC_PAGE} via ${SHARED} (third-party transcriptions: wiki.connerv.com, cloudburn.io Feb 2026)`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.048,
        unit: 'NAT gateway-hour',
        source: `${VPC_PAGE} via cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026 ("Europe (Ireland, Frankfurt, London) ~$0.048–$0.052"); Ireland's $0.048 UNCONFIRMED`,
        read: READ,
      },
    },
  },
  'public-ipv4-hour': both({
    usd: 0.005,
    unit: 'public IPv4 address-hour',
    source: `${VPC_PAGE} ("Hourly charge for In-use Public IPv4 Address $0.005", one price in every commercial region) via ${SHARED}`,
    read: READ,
  }),
  'interface-endpoint-az-hour': {
    byRegion: {
      'us-east-1': {
        usd: 0.01,
        unit: 'interface endpoint-AZ-hour',
        source: `https://aws.amazon.com/privatelink/pricing/ (billed per AZ, partial hour = full hour) via ${SHARED}`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.011,
        unit: 'interface endpoint-AZ-hour',
        source: 'https://aws.amazon.com/privatelink/pricing/ (Europe (Ireland)); UNCONFIRMED: not readable in the stored copies',
        read: READ,
      },
    },
  },
  'alb-hour': {
    byRegion: {
      'us-east-1': { usd: 0.0225, unit: 'ALB-hour', source: `${ELB_PAGE} via ${SHARED}`, read: READ },
      'eu-west-1': {
        usd: 0.0252,
        unit: 'ALB-hour',
        source: `${ELB_PAGE} via cal53.calculator.city/aws-alb-cost-calculator ("Europe (Ireland) | $0.0252"), third-party`,
        read: READ,
      },
    },
  },
  'alb-lcu-hour': both({
    usd: 0.008,
    unit: 'LCU-hour',
    source: `${ELB_PAGE} via ${SHARED}; eu-west-1 the same per aws.darcy-it.com (third-party)`,
    read: READ,
  }),
  'ec2-t3.micro-hour': {
    byRegion: {
      'us-east-1': {
        usd: 0.0104,
        unit: 'instance-hour (Linux, on-demand)',
        source: `${EC2_PAGE} via jefferson-rios.medium.com "AWS Pricing Model and FREE TIER" ("t3.micro $0.0104 USD")`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.0114,
        unit: 'instance-hour (Linux, on-demand)',
        source: `${EC2_PAGE} (Europe (Ireland)); UNCONFIRMED: not readable in the stored copies`,
        read: READ,
      },
    },
  },
  'ebs-gp3-gb-month': {
    byRegion: {
      'us-east-1': {
        usd: 0.08,
        unit: 'GB-month',
        source: `${EBS_PAGE} via cal53.calculator.city/calculate-cost-of-amazon-ec2 ("GB × $0.08/GB/month", gp3), third-party`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.088,
        unit: 'GB-month',
        source: `${EBS_PAGE} (Europe (Ireland)); UNCONFIRMED: not readable in the stored copies`,
        read: READ,
      },
    },
  },
  'ebs-gp2-gb-month': {
    byRegion: {
      'us-east-1': {
        usd: 0.1,
        unit: 'GB-month',
        source: `${EBS_PAGE}; gist chicagobuss/87bdbe2b4323efc18fff3591a68ee425 (gp2 0.1 in us-east-1 and eu-west-1), third-party`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.11,
        unit: 'GB-month',
        source: `${EBS_PAGE} (Europe (Ireland)); UNCONFIRMED (a 2019 third-party table says 0.10)`,
        read: READ,
      },
    },
  },
  'kms-key-month': both({
    usd: 1,
    unit: 'customer managed key-month (prorated hourly)',
    source: `https://aws.amazon.com/kms/pricing/ via ${SHARED}`,
    read: READ,
  }),
  'kms-rotation-month': both({
    usd: 1,
    unit: 'rotated key material-month',
    source: `https://aws.amazon.com/kms/pricing/ via ${SHARED} ("+$1/month per rotated backing key"); that only the first two rotations are billed is UNCONFIRMED`,
    read: READ,
  }),
  'secret-month': both({
    usd: 0.4,
    unit: 'secret-month (a replica is billed as a secret)',
    source: `https://aws.amazon.com/secrets-manager/pricing/ via ${SHARED}`,
    read: READ,
  }),
  'cw-alarm-metric-month': both({
    usd: 0.1,
    unit: 'standard-resolution alarm metric-month',
    source: `${CW_PAGE} via ${SHARED} and c3x.dev/resources/aws/aws_cloudwatch_metric_alarm; eu-west-1 UNCONFIRMED`,
    read: READ,
  }),
  'cw-alarm-metric-month-high-resolution': both({
    usd: 0.3,
    unit: 'high-resolution alarm metric-month',
    source: `${CW_PAGE} via ${SHARED}; eu-west-1 UNCONFIRMED`,
    read: READ,
  }),
  'cw-composite-alarm-month': both({
    usd: 0.5,
    unit: 'composite alarm-month',
    source: `${CW_PAGE} via ${SHARED}; eu-west-1 UNCONFIRMED`,
    read: READ,
  }),
  'cw-custom-metric-month': both({
    usd: 0.3,
    unit: 'custom metric-month (first 10,000; prorated by the hour it is published in)',
    source: `${CW_PAGE} via nishinoshake/aws-rough issue 37 (AWS page tiers: first 10,000 $0.30); eu-west-1 UNCONFIRMED`,
    read: READ,
  }),
  'cw-dashboard-month': both({
    usd: 3,
    unit: 'dashboard-month',
    source: `${CW_PAGE} via nishinoshake/aws-rough issue 37 ("ダッシュボード $3/個"); eu-west-1 UNCONFIRMED`,
    read: READ,
  }),
  'logs-ingest-gb': {
    byRegion: {
      'us-east-1': {
        usd: 0.5,
        unit: 'GB ingested (standard class; vended logs start at the same rate)',
        source: `${CW_PAGE} via c3x.dev/blog/cloudwatch-logs-cost-optimization ("us-east-1, June 2026: Ingestion: $0.50 per GB") and hykell.com`,
        read: READ,
      },
      'eu-west-1': {
        usd: 0.57,
        unit: 'GB ingested (standard class)',
        source: `${CW_PAGE} (Europe (Ireland)); UNCONFIRMED: not readable in the stored copies`,
        read: READ,
      },
    },
  },
  'logs-storage-gb-month': {
    byRegion: {
      'us-east-1': {
        usd: 0.03,
        unit: 'GB-month archived',
        source: `${CW_PAGE} via c3x.dev/blog/cloudwatch-logs-cost-optimization and hykell.com`,
        read: READ,
      },
      'eu-west-1': { usd: 0.03, unit: 'GB-month archived', source: `${CW_PAGE}; eu-west-1 UNCONFIRMED`, read: READ },
    },
  },
  'r53-hosted-zone-month': { global: { usd: 0.5, unit: 'hosted zone-month (first 25)', source: R53_PAGE, read: READ } },
  'r53-query-million': { global: { usd: 0.4, unit: 'million standard queries (first billion)', source: R53_PAGE, read: READ } },
  'r53-health-check-month': { global: { usd: 0.5, unit: 'basic health check-month (AWS endpoint)', source: R53_PAGE, read: READ } },
  'r53-health-check-feature-month': {
    global: {
      usd: 1,
      unit: 'optional feature-month (AWS endpoint; HTTPS, string match, 10 s interval or latency each)',
      source: R53_PAGE,
      read: READ,
    },
  },
  'r53-health-check-month-non-aws': {
    global: { usd: 0.75, unit: 'basic health check-month (non-AWS endpoint)', source: R53_PAGE, read: READ },
  },
  'r53-health-check-feature-month-non-aws': {
    global: { usd: 2, unit: 'optional feature-month (non-AWS endpoint)', source: R53_PAGE, read: READ },
  },
  'lambda-request-million': both({
    usd: 0.2,
    unit: 'million requests',
    source: `${LAMBDA_PAGE} ("$0.20 per million requests") via api-evangelist/aws-lambda plans/aws-lambda-plans-pricing.yml (read 2026-09-20)`,
    read: READ,
  }),
  'lambda-gb-second-x86_64': both({
    usd: 0.0000166667,
    unit: 'GB-second (x86_64, first 6 B GB-s)',
    source: `${LAMBDA_PAGE}; ${LAMBDA_TABLE}`,
    read: READ,
  }),
  // arm64 is 20% cheaper per GB-second: 0.0000133334 / 0.0000166667 = 0.8.
  'lambda-gb-second-arm64': both({
    usd: 0.0000133334,
    unit: 'GB-second (arm64, first 7.5 B GB-s)',
    source: `${LAMBDA_PAGE}; ${LAMBDA_TABLE}`,
    read: READ,
  }),
  'dynamodb-write-million': {
    byRegion: {
      'us-east-1': {
        usd: 0.625,
        unit: 'million write request units (on-demand)',
        source: `${DDB_PAGE} via airbyte.com "Amazon DynamoDB Pricing" (after the November 2024 cut)`,
        read: READ,
      },
    },
  },
  'dynamodb-read-million': {
    byRegion: {
      'us-east-1': {
        usd: 0.125,
        unit: 'million read request units (on-demand)',
        source: `${DDB_PAGE} via airbyte.com "Amazon DynamoDB Pricing" (after the November 2024 cut)`,
        read: READ,
      },
    },
  },
  'dynamodb-storage-gb-month': {
    byRegion: {
      'us-east-1': {
        usd: 0.25,
        unit: 'GB-month (Standard table class)',
        source: `${DDB_PAGE} via gist bahrmichael/94e01d26dc21b9b7156d7d27b1b9e16e ("DynamoDB | $0.25"), third-party`,
        read: READ,
      },
    },
  },
  'dynamodb-pitr-gb-month': {
    byRegion: {
      'us-east-1': {
        usd: 0.2,
        unit: 'GB-month of continuous backup (PITR)',
        source: `${DDB_PAGE}; UNCONFIRMED: not readable in the stored copies`,
        read: READ,
      },
    },
  },
  'global-accelerator-hour': {
    global: {
      usd: 0.025,
      unit: 'accelerator-hour (enabled or not, until deleted)',
      source: `https://aws.amazon.com/global-accelerator/pricing/ via ${SHARED}`,
      read: READ,
    },
  },
} as const satisfies Record<string, PriceEntry>;

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
