/**
 * List prices of what a retired database keeps costing, for the estimates a failback and
 * `dr status` give. On-demand, Single-AZ RDS for MySQL; Multi-AZ doubles both figures. Prices
 * change: each names its source and the day it was read, and an instance class or region not
 * here gets no estimate rather than a guess.
 */

/** One price and where it comes from. */
export interface Price {
  readonly usd: number;
  readonly source: string;
  /** When the price was read (ISO date). */
  readonly read: string;
}

const RDS_PAGE =
  'https://aws.amazon.com/rds/mysql/pricing/ (not readable in the stored copies; figures as transcribed by third-party price lists)';

/** USD per instance-hour, by region and instance class. */
export const RDS_INSTANCE_HOURLY: Readonly<Record<string, Readonly<Record<string, Price>>>> = {
  'us-east-1': {
    'db.t3.micro': { usd: 0.017, source: RDS_PAGE, read: '2026-11-29' },
    'db.t3.small': { usd: 0.034, source: RDS_PAGE, read: '2026-11-29' },
    'db.t3.medium': { usd: 0.068, source: `${RDS_PAGE}; reintech.io, "Understanding AWS RDS pricing models"`, read: '2026-11-29' },
  },
  'eu-west-1': {
    'db.t3.micro': { usd: 0.018, source: RDS_PAGE, read: '2026-11-29' },
    'db.t3.small': { usd: 0.036, source: RDS_PAGE, read: '2026-11-29' },
    'db.t3.medium': { usd: 0.072, source: RDS_PAGE, read: '2026-11-29' },
  },
};

/** USD per GB-month of General Purpose storage, by region. */
export const RDS_STORAGE_GB_MONTH: Readonly<Record<string, Price>> = {
  'us-east-1': {
    usd: 0.115,
    source: `${RDS_PAGE}; usage.ai RDS pricing guide (June 2026): "GB provisioned x $0.115/month (gp3)"`,
    read: '2026-11-29',
  },
  'eu-west-1': { usd: 0.127, source: RDS_PAGE, read: '2026-11-29' },
};

/** Hours in a month, as AWS's own calculator counts them. */
const HOURS_PER_MONTH = 730;

/** A monthly estimate, and what it leaves out. */
export interface MonthlyEstimate {
  readonly usd: number;
  /** What the figure covers, such as `db.t3.small instance hours + 20 GiB storage`. */
  readonly basis: string;
}

/**
 * What a database instance costs a month at list prices, or undefined when its class or region
 * has no price here. Storage is counted when its size is known.
 */
export function estimateMonthlyCost(instance: {
  readonly region: string;
  readonly instanceClass?: string | undefined;
  readonly allocatedStorageGiB?: number | undefined;
  readonly multiAz?: boolean | undefined;
}): MonthlyEstimate | undefined {
  const hourly = instance.instanceClass ? RDS_INSTANCE_HOURLY[instance.region]?.[instance.instanceClass] : undefined;
  if (!hourly) return undefined;
  const copies = instance.multiAz ? 2 : 1;
  const storage = RDS_STORAGE_GB_MONTH[instance.region];
  const gib = instance.allocatedStorageGiB;
  const storageUsd = gib !== undefined && storage ? gib * storage.usd : 0;
  const usd = Math.round((hourly.usd * HOURS_PER_MONTH + storageUsd) * copies * 100) / 100;
  const basis = `${instance.instanceClass} instance hours${gib !== undefined && storage ? ` + ${gib} GiB storage` : ', storage not counted'}${copies > 1 ? ', Multi-AZ' : ''}, list prices read ${hourly.read}`;
  return { usd, basis };
}
