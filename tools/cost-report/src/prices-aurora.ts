/**
 * Aurora MySQL prices (Aurora Standard storage configuration, on-demand): the instance hour of the
 * class the constructs default to, storage, I/O, the replicated write I/O of a global database's
 * secondary region, and backup storage beyond the free amount.
 *
 * AWS's page (https://aws.amazon.com/rds/aurora/pricing/) renders its rate tables client-side: the
 * stored copies hold its text ("Additional charges apply for specific features including Global
 * Database") but no figure, so every figure here is a third-party transcription and says so.
 * Aurora I/O-Optimized is not offered by the constructs and not priced.
 */
import { READ, type PriceEntry } from './price-sources.js';

/** AWS's Aurora pricing page. */
export const AURORA_PAGE = 'https://aws.amazon.com/rds/aurora/pricing/';
const CALCULATOR = 'store-v2-khaki.vercel.app/rds-vs-aurora-cost-calculator.html (third-party list-price table)';
const CLOUDEX = 'cloudexmachina.io/blog/aws-aurora-pricing (third-party, 2025-09-02)';
const EU = 'eu-west-1: UNCONFIRMED, no stored source gives the Europe (Ireland) rate; the us-east-1 figure is used';

/** The same figure in both regions, eu-west-1 marked UNCONFIRMED. */
const usEast = (usd: number, unit: string, source: string): PriceEntry => ({
  byRegion: {
    'us-east-1': { usd, unit, source: `${AURORA_PAGE} via ${source}`, read: READ },
    'eu-west-1': { usd, unit, source: `${AURORA_PAGE} via ${source}; ${EU}`, read: READ },
  },
});

/** Aurora's prices, by key (part of `PRICES`). */
export const AURORA_PRICES = {
  'aurora-mysql-db.r6g.large-hour': usEast(
    0.29,
    'Aurora MySQL db.r6g.large instance-hour',
    `${CALCULATOR} ("db.r6g.large ... Aurora MySQL $/hr $0.290"); UNCONFIRMED against the AWS table`,
  ),
  'aurora-storage-gb-month': usEast(0.1, 'Aurora Standard GB-month', `${CLOUDEX} ("Storage: $0.10/GB-month") and ${CALCULATOR}`),
  'aurora-io-million': usEast(0.2, 'million I/O requests (Aurora Standard)', `${CALCULATOR} ("$0.20 per 1M requests")`),
  'aurora-replicated-write-io-million': usEast(
    0.2,
    'million replicated write I/Os (each secondary region of a global database)',
    `AWS page text "Additional charges apply for ... Global Database"; the $0.20 figure: UNCONFIRMED, no stored copy states it`,
  ),
  'aurora-backup-gb-month': usEast(
    0.021,
    'backup GB-month beyond the free amount (the cluster volume size)',
    `${CLOUDEX} ("Backups: Free up to the DB size while the cluster exists, then $0.021/GB-month")`,
  ),
} as const satisfies Record<string, PriceEntry>;
