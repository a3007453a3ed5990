/**
 * The EC2 quota arithmetic of the `dr-ec2-quota` check: does the DR region's "Running On-Demand
 * Standard instances" vCPU quota (L-1216C47A) leave room for the DR group at its active capacity?
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html
 */

/** The Service Quotas code of "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", counted in vCPUs. */
export const EC2_STANDARD_VCPU_QUOTA_CODE = 'L-1216C47A';

// Families counted by L-1216C47A. Some names start with one of those letters but have quotas of
// their own (Inferentia `inf`, Trainium `trn`, `hpc`, `dl`, `mac`, high memory `u-`).
const OWN_QUOTA = /^(inf|trn|hpc|dl|mac|u-)/;

/** True when instances of `instanceType` (such as `t3.small`) count against {@link EC2_STANDARD_VCPU_QUOTA_CODE}. */
export function isStandardInstanceType(instanceType: string): boolean {
  const family = instanceType.split('.')[0] ?? '';
  return /^[acdhimrtz]/.test(family) && !OWN_QUOTA.test(family);
}

/** What the quota check needs to know. */
export interface QuotaInput {
  /** The applied quota, in vCPUs. */
  readonly quota: number;
  /** vCPUs of running On-Demand standard instances in the region now (the DR group's included). */
  readonly inUse: number;
  /** vCPUs of one instance of the DR group's type. */
  readonly vcpusPerInstance: number;
  /** Instances the DR group runs when it serves (`capacity.desired`). */
  readonly desired: number;
  /** Instances the DR group runs now (already counted in `inUse`). */
  readonly running: number;
}

/** The verdict of the quota arithmetic. */
export interface QuotaVerdict {
  /** vCPUs a scale-out to `desired` adds: the instances not running yet times their vCPUs. */
  readonly additional: number;
  /** vCPUs the quota leaves free now: quota less what runs (never below 0). */
  readonly headroom: number;
  /** True when the scale-out fits: `additional <= headroom`. */
  readonly covers: boolean;
}

/**
 * Whether the quota covers the DR capacity: a scale-out launches `desired − running` instances,
 * each `vcpusPerInstance` vCPUs, and they must fit in what the quota leaves free beside what runs
 * in the region now. Instances of the group already running are counted once, in `inUse`.
 */
export function quotaCovers(input: QuotaInput): QuotaVerdict {
  const additional = Math.max(0, input.desired - input.running) * input.vcpusPerInstance;
  const headroom = Math.max(0, input.quota - input.inUse);
  return { additional, headroom, covers: additional <= headroom };
}
