/**
 * Prices of the managed services the stack uses, billed per month or by use: KMS, Secrets Manager,
 * CloudWatch and its logs, Route 53, Lambda, DynamoDB and Global Accelerator.
 */
import { both, CW_PAGE, DDB_PAGE, LAMBDA_PAGE, LAMBDA_TABLE, R53_PAGE, READ, SHARED, type PriceEntry } from './price-sources.js';

/** The managed services' prices, by key (part of `PRICES`). */
export const SERVICE_PRICES = {
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
