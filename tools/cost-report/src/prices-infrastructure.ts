/**
 * Prices of what runs by the hour or by the gigabyte-month in each region: NAT gateways, public IPv4
 * addresses, interface endpoints, load balancers, EC2 instances and EBS volumes.
 */
import { both, EBS_PAGE, EC2_PAGE, ELB_PAGE, READ, SHARED, VPC_PAGE, type PriceEntry } from './price-sources.js';

/** The hourly and per-GB infrastructure prices, by key (part of `PRICES`). */
export const INFRASTRUCTURE_PRICES = {
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
} as const satisfies Record<string, PriceEntry>;
