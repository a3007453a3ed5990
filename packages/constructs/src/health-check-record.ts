import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS, type HealthCheckRef } from '@dr/failover-core/ports';
import { Construct } from 'constructs';
import { HealthRecordReader, type HealthRecordReaderOptions } from './health-record-reader.js';
import { validateProps } from './private/validate.js';

/**
 * Route 53's health checker regions. A health check checks from all of them unless told
 * otherwise, and from at least three when told.
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export const ROUTE53_CHECKER_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;

/** Props of {@link HealthCheckRecord}. */
export interface HealthCheckRecordProps {
  /**
   * The VPC whose resolver answers the record: the record lives in a private hosted zone
   * associated with it, so only that VPC resolves it. The health record reader runs in it, and
   * the failover controller, outside any VPC, reads the record through the reader.
   */
  readonly vpc: ec2.IVpc;
  /** Where and how the health record reader runs in `vpc`. @default - see {@link HealthRecordReaderOptions} */
  readonly reader?: HealthRecordReaderOptions;
  /**
   * The public DNS name Route 53's checkers request, such as an internet-facing ALB's. Route 53
   * checkers reach only public addresses: an internal ALB is never healthy to them.
   */
  readonly domainName: string;
  /** The fully qualified name of the failover record pair, such as `shop-primary.health.dr.internal`. */
  readonly recordName: string;
  /**
   * The private hosted zone's name; `recordName` must be in it.
   * @default - `recordName` without its first label (`health.dr.internal` for `shop-primary.health.dr.internal`)
   */
  readonly zoneName?: string;
  /** The path the checkers request; a 2xx or 3xx answer within 2 s counts as healthy. @default '/ref' */
  readonly healthCheckPath?: string;
  /**
   * `HTTPS` costs an extra optional feature and Route 53 does not validate the certificate.
   * @default 'HTTP'
   */
  readonly protocol?: 'HTTP' | 'HTTPS';
  /** The port Route 53's checkers connect to. @default 80 for HTTP, 443 for HTTPS */
  readonly port?: number;
  /**
   * Consecutive checks, per checker, that change its view of the endpoint: 1 to 10. With the
   * 10-second interval, 2 lets a checker see a failure in about 20 s.
   * @default 2
   */
  readonly failureThreshold?: number;
  /**
   * Route 53 regions to check from: at least three of {@link ROUTE53_CHECKER_REGIONS}.
   * @default - all eight, Route 53's default
   */
  readonly regions?: readonly string[];
}

/**
 * A Route 53 health check of an endpoint's health path, the failover record pair the
 * failover controller reads its verdict from through DNS, and the {@link HealthRecordReader}
 * (`reader`) it reads it through: the PRIMARY record answers
 * `192.0.2.1` while the check is healthy, the SECONDARY one `192.0.2.2` otherwise, both with a
 * 5-second TTL (`HEALTH_RECORD_ANSWERS`, `HEALTH_RECORD_TTL_SECONDS` of `@dr/failover-core/ports`).
 * The checks run every 10 seconds (the fast interval: checked in about 20 s instead of 90 s at
 * the default interval and threshold; it costs one optional feature).
 *
 * DNS is Route 53's data plane: the controller reads the checkers' verdict in any region,
 * without the us-east-1 control plane (`GetHealthCheckStatus`) or the us-east-1-only
 * `HealthCheckStatus` metric, either of which a us-east-1 impairment would take away. The zone
 * is private, associated with `vpc`: Route 53 honours health checks on failover records in a
 * private hosted zone when the checked endpoint has a public address. Only resolvers of that
 * VPC answer the zone, so the reader Lambda runs in it (isolated subnets will do) and the
 * controller invokes it: the controller needs no VPC, and the VPC no NAT gateway, for this
 * signal. Give the controller `reader.function` as its `healthRecordReader`.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 */
export class HealthCheckRecord extends Construct {
  /** The health check. */
  readonly healthCheck: route53.CfnHealthCheck;
  /** The private hosted zone holding the record pair, associated with `vpc`. */
  readonly hostedZone: route53.PrivateHostedZone;
  /** PRIMARY, answering `HEALTH_RECORD_ANSWERS.healthy` while the check is healthy. */
  readonly healthyRecord: route53.CfnRecordSet;
  /** SECONDARY, answering `HEALTH_RECORD_ANSWERS.unhealthy` when the primary record's check is not. */
  readonly unhealthyRecord: route53.CfnRecordSet;
  /** What the DR config's `route53HealthCheck` holds: the check's id and the record's name. */
  readonly ref: HealthCheckRef;
  /** The Lambda in `vpc` that resolves the record for the failover controller. */
  readonly reader: HealthRecordReader;

  constructor(scope: Construct, id: string, props: HealthCheckRecordProps) {
    super(scope, id);
    const path = props.healthCheckPath ?? '/ref';
    const protocol = props.protocol ?? 'HTTP';
    const port = props.port ?? (protocol === 'HTTPS' ? 443 : 80);
    const threshold = props.failureThreshold ?? 2;
    const recordName = props.recordName.replace(/\.$/, '');
    const zoneName = (props.zoneName ?? recordName.slice(recordName.indexOf('.') + 1)).replace(/\.$/, '');
    const regions = props.regions;
    const known: readonly string[] = ROUTE53_CHECKER_REGIONS;
    validateProps(this, [
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
      { failed: !Number.isInteger(port) || port < 1 || port > 65535, message: `port must be a TCP port 1-65535; got ${port}` },
      {
        failed: !Number.isInteger(threshold) || threshold < 1 || threshold > 10,
        message: `failureThreshold must be a whole number 1-10 (Route 53's range); got ${threshold}`,
      },
      {
        failed: regions !== undefined && regions.length < 3,
        message: `regions must name at least three Route 53 checker regions; got ${regions?.length}`,
      },
      { failed: regions !== undefined && new Set(regions).size !== regions.length, message: 'regions must not repeat a region' },
      {
        failed: (regions ?? []).some((r) => !known.includes(r)),
        message: `regions must be among ${known.join(', ')}; got ${(regions ?? []).filter((r) => !known.includes(r)).join(', ')}`,
      },
      {
        failed: !recordName.includes('.') || !recordName.endsWith(`.${zoneName}`),
        message: `recordName must be a name inside the zone ${zoneName}; got ${JSON.stringify(props.recordName)}`,
      },
      {
        failed: !Token.isUnresolved(props.domainName) && !/^[A-Za-z0-9.-]+$/.test(props.domainName),
        message: `domainName must be a DNS name; got ${JSON.stringify(props.domainName)}`,
      },
    ]);

    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: protocol,
        fullyQualifiedDomainName: props.domainName,
        port,
        resourcePath: path,
        // 10 s ("fast"): may not be changed once the check exists.
        requestInterval: 10,
        failureThreshold: threshold,
        regions: regions ? [...regions] : undefined,
        // Sends the checked name in the TLS client hello, as browsers do; Route 53 does not
        // validate the certificate the endpoint answers with.
        enableSni: protocol === 'HTTPS' ? true : undefined,
      },
      healthCheckTags: [{ key: 'Name', value: `${recordName} ${protocol} ${path}` }],
    });
    this.hostedZone = new route53.PrivateHostedZone(this, 'Zone', {
      zoneName,
      vpc: props.vpc,
      comment: `Route 53's verdict on ${recordName}, for the failover controller`,
    });
    const record = (id: string, failover: 'PRIMARY' | 'SECONDARY', answer: string, healthCheckId?: string) =>
      new route53.CfnRecordSet(this, id, {
        hostedZoneId: this.hostedZone.hostedZoneId,
        name: `${recordName}.`,
        type: 'A',
        ttl: String(HEALTH_RECORD_TTL_SECONDS),
        resourceRecords: [answer],
        setIdentifier: id.toLowerCase(),
        failover,
        healthCheckId,
      });
    this.healthyRecord = record('Healthy', 'PRIMARY', HEALTH_RECORD_ANSWERS.healthy, this.healthCheck.attrHealthCheckId);
    // No health check: Route 53 answers the secondary whenever the primary's check is unhealthy.
    this.unhealthyRecord = record('Unhealthy', 'SECONDARY', HEALTH_RECORD_ANSWERS.unhealthy);
    this.ref = { healthCheckId: this.healthCheck.attrHealthCheckId, recordName };
    this.reader = new HealthRecordReader(this, 'Reader', { ...props.reader, vpc: props.vpc });
  }
}
