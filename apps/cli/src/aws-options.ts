import type { AwsService } from '@dr/aws-adapters';
import { Option } from 'commander';
import { UsageError } from './errors.js';

/** Where a command that talks to AWS finds its config and how it reaches AWS. */
export interface AwsFlags {
  readonly app?: string;
  readonly region?: string;
  readonly config?: string;
  readonly endpointUrl?: readonly string[];
}

/** `--endpoint-url` service names, as people type them, to the adapters' services. */
const SERVICES: Readonly<Record<string, AwsService | 'ssm'>> = {
  rds: 'rds',
  autoscaling: 'autoScaling',
  elbv2: 'elasticLoadBalancingV2',
  cloudwatch: 'cloudWatch',
  globalaccelerator: 'globalAccelerator',
  dynamodb: 'dynamoDb',
  sns: 'sns',
  ssm: 'ssm',
  ec2: 'ec2',
  servicequotas: 'serviceQuotas',
};

/** The options every AWS command takes, added in one place so they read alike everywhere. */
export function awsOptions(): Option[] {
  return [
    // Two sources of one config: refused before anything is read, rather than one silently winning.
    new Option('--app <name>', 'application whose DR config is read from SSM (/dr/<app>/config)').conflicts('config'),
    new Option('--region <region>', 'region to read the config from (default: AWS_REGION or AWS_DEFAULT_REGION)'),
    new Option('--config <file>', 'DR config JSON file, instead of SSM'),
    new Option('--endpoint-url <service=url>', `endpoint for one service (${Object.keys(SERVICES).join(', ')}); repeatable`).argParser(
      (value: string, previous: string[] = []) => [...previous, value],
    ),
  ];
}

/** Parses the `--endpoint-url` overrides. @throws {@link UsageError} naming a bad one. */
export function endpointOverrides(flags: AwsFlags): { ports: Partial<Record<AwsService, string>>; ssm?: string } {
  const ports: Partial<Record<AwsService, string>> = {};
  let ssm: string | undefined;
  for (const entry of flags.endpointUrl ?? []) {
    const [name, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    const service = SERVICES[name.toLowerCase()];
    if (!entry.includes('=') || !service)
      throw new UsageError(
        `--endpoint-url must be <service>=<url> with service one of ${Object.keys(SERVICES).join(', ')}; got ${JSON.stringify(entry)}`,
      );
    if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--endpoint-url ${name} must be an http(s) URL; got ${JSON.stringify(url)}`);
    // SSM serves both the config and the readiness reads of the config parameter.
    if (service === 'ssm') ssm = url;
    ports[service] = url;
  }
  return { ports, ssm };
}
