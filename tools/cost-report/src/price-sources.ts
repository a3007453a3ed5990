/**
 * What a price is (how much, per what, where it was read and when), and the pages the report's
 * prices were read from: shared by the price tables so each row cites its source the same way.
 */

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

/** When the prices below were read. */
export const READ = '2026-11-29';
/** Prices that §9 of the shared AWS behaviours notes records, with their sources. */
export const SHARED = 'shared/aws-behaviours/traffic-detection-and-cost.md §9';
/** The AWS pricing pages the prices were read from. */
export const VPC_PAGE = 'https://aws.amazon.com/vpc/pricing/';
export const EC2_PAGE = 'https://aws.amazon.com/ec2/pricing/on-demand/';
export const EBS_PAGE = 'https://aws.amazon.com/ebs/pricing/';
export const ELB_PAGE = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
export const CW_PAGE = 'https://aws.amazon.com/cloudwatch/pricing/';
export const R53_PAGE =
  'https://aws.amazon.com/route53/pricing/ as transcribed verbatim by api-evangelist/amazon-route53-resolver plans/amazon-route53-resolver-plans-pricing.yml (read 2026-09-20)';
export const LAMBDA_PAGE = 'https://aws.amazon.com/lambda/pricing/';
export const LAMBDA_TABLE =
  'artillery@2.0.28 lib/platform/aws-lambda/prices.js (https://app.unpkg.com/artillery@2.0.28/files/lib/platform/aws-lambda/prices.js): base x86_64 0.0000166670, arm64 0.0000133340 per GB-s, the base applying to every region it does not list (eu-west-1 and us-east-1 are not listed)';
export const DDB_PAGE = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';

/** The same price in both regions this project deploys to. */
export const both = (price: Price): PriceEntry => ({ byRegion: { 'us-east-1': price, 'eu-west-1': price } });
