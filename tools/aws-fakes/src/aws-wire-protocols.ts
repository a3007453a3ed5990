import type { ServerResponse } from 'node:http';

/** The three ways the fake server's services speak: the AWS JSON protocols, the EC2 query protocol and the AWS query protocol. */
export type WireProtocol = 'json' | 'ec2' | 'query';

/**
 * The EC2 query protocol differs from the AWS query protocol: lists are sent as `ImageId.1` (the
 * member's `ec2QueryName`, not the SDK's plural) and answered as `<imagesSet><item>`, member
 * names are lower camel case, and there is no `<ActionResult>` wrapper. Input names by wire name,
 * output names by SDK name, where they differ from the rule.
 */
const EC2_INPUT_LISTS: Readonly<Record<string, string>> = {
  ImageId: 'ImageIds',
  LaunchTemplateVersion: 'Versions',
  InstanceType: 'InstanceTypes',
};
const EC2_OUTPUT_NAMES: Readonly<Record<string, string>> = {
  Images: 'imagesSet',
  LaunchTemplateVersions: 'launchTemplateVersionSet',
  InstanceTypes: 'instanceTypeSet',
  State: 'imageState',
};

function toEc2Xml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const tag = EC2_OUTPUT_NAMES[name] ?? name.charAt(0).toLowerCase() + name.slice(1);
  if (value instanceof Date) return `<${tag}>${value.toISOString()}</${tag}>`;
  if (Array.isArray(value))
    return `<${tag}>${value
      .map((v) =>
        typeof v === 'object'
          ? `<item>${Object.entries(v as object)
              .map(([k, x]) => toEc2Xml(k, x))
              .join('')}</item>`
          : `<item>${escapeXml(String(v))}</item>`,
      )
      .join('')}</${tag}>`;
  if (typeof value === 'object')
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toEc2Xml(k, v))
      .join('')}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** An EC2 query-protocol request body: its action and input, lists by their SDK name. */
export function fromEc2Query(body: string): { action: string; input: Record<string, unknown> } {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const [name, index] = key.split('.');
    if (index !== undefined && /^\d+$/.test(index) && name && EC2_INPUT_LISTS[name])
      ((input[EC2_INPUT_LISTS[name]] ??= []) as string[]).push(raw);
    else input[key] = raw;
  }
  return { action: params.get('Action') ?? '', input };
}

/**
 * List members of the AWS query protocol are `<member>` except where a service's model names
 * them (its `xmlName` traits, as in `@aws-sdk/client-rds`'s schema): the SDK reads a list whose
 * members are misnamed as empty.
 */
const QUERY_MEMBER_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  rds: {
    DBInstances: 'DBInstance',
    DBSnapshots: 'DBSnapshot',
    TagList: 'Tag',
    Parameters: 'Parameter',
    DBParameterGroups: 'DBParameterGroup',
    VpcSecurityGroups: 'VpcSecurityGroupMembership',
    ReadReplicaDBInstanceIdentifiers: 'ReadReplicaDBInstanceIdentifier',
    StatusInfos: 'DBInstanceStatusInfo',
    DBClusters: 'DBCluster',
    DBClusterMembers: 'DBClusterMember',
    DBClusterSnapshots: 'DBClusterSnapshot',
    // The SDK's model names the members of both lists GlobalClusterMember.
    GlobalClusters: 'GlobalClusterMember',
    GlobalClusterMembers: 'GlobalClusterMember',
  },
};

/** Query-protocol inputs that are numbers (the protocol sends every value as text). */
const NUMERIC_INPUTS = new Set([
  'MinSize',
  'MaxSize',
  'DesiredCapacity',
  'MaxRecords',
  'Weight',
  'BackupRetentionPeriod',
  'AllocatedStorage',
  'Iops',
  'Port',
]);

/** Query-protocol inputs that are booleans (sent as `true` / `false`). */
const BOOLEAN_INPUTS = new Set([
  'AllowDataLoss',
  'CopyTags',
  'Switchover',
  'ApplyImmediately',
  'AutoMinorVersionUpgrade',
  'CopyTagsToSnapshot',
  'DeletionProtection',
  'EnableIAMDatabaseAuthentication',
  'ForceFailover',
  'MultiAZ',
  'PubliclyAccessible',
  'ResetAllParameters',
  'StorageEncrypted',
]);

function typed(name: string | number, raw: string): unknown {
  if (typeof name !== 'string') return raw;
  if (NUMERIC_INPUTS.has(name)) return Number(raw);
  if (BOOLEAN_INPUTS.has(name)) return raw === 'true';
  return raw;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toXml(name: string, value: unknown, members: Readonly<Record<string, string>>): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml(members[name] ?? 'member', v, members)).join('')}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v, members))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * An AWS query-protocol request body (`A.member.1.B=x` → `{ A: [{ B: 'x' }] }`): a list's name is
 * the segment before its member name and index.
 */
export function fromQuery(body: string): { action: string; input: Record<string, unknown> } {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    const path: (string | number)[] = [];
    for (let i = 0; i < parts.length; i++) {
      const next = parts[i + 1];
      if (next !== undefined && /^\d+$/.test(next) && i > 0) continue; // the member name
      const part = parts[i]!;
      path.push(/^\d+$/.test(part) ? Number(part) - 1 : part);
    }
    let at: Record<string | number, unknown> = input;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      at[key] ??= typeof path[i + 1] === 'number' ? [] : {};
      at = at[key] as Record<string | number, unknown>;
    }
    const last = path.at(-1)!;
    at[last] = typed(last, raw);
  }
  return { action: params.get('Action') ?? '', input };
}

/** JSON protocols carry times as epoch seconds. */
const jsonReplacer = function (this: Record<string, unknown>, key: string, value: unknown) {
  const original = this[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
};

/** A request's action and input, read as `protocol` speaks (JSON names the action in `X-Amz-Target`). */
export function readRequest(
  protocol: WireProtocol,
  target: string | undefined,
  body: string,
): { action: string; input: Record<string, unknown> } {
  if (protocol === 'json')
    return { action: target?.split('.').at(-1) ?? '', input: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
  return protocol === 'ec2' ? fromEc2Query(body) : fromQuery(body);
}

/** Writes a call's output as `protocol` answers (`contentType`: the JSON request's own). */
export function writeOutput(
  res: ServerResponse,
  protocol: WireProtocol,
  call: { readonly service: string; readonly action: string; readonly contentType?: string },
  output: unknown,
): void {
  const { action } = call;
  if (protocol === 'json') {
    res.writeHead(200, { 'content-type': call.contentType ?? 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(output, jsonReplacer));
  } else if (protocol === 'ec2') {
    const result = Object.entries(output as Record<string, unknown>)
      .map(([k, v]) => toEc2Xml(k, v))
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${result}</${action}Response>`);
  } else {
    const members = QUERY_MEMBER_NAMES[call.service] ?? {};
    const result = Object.entries(output as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v, members))
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<${action}Response><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`,
    );
  }
}

/** Writes a service error (an SDK-shaped error: `name`, `message`, `$metadata.httpStatusCode`) as `protocol` answers it. */
export function writeError(res: ServerResponse, protocol: WireProtocol, error: Error & { $metadata?: { httpStatusCode?: number } }): void {
  const status = error.$metadata?.httpStatusCode ?? 400;
  if (protocol === 'json') {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.name });
    res.end(JSON.stringify({ __type: error.name, message: error.message }));
  } else if (protocol === 'ec2') {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<Response><Errors><Error><Code>${escapeXml(error.name)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`,
    );
  } else {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.name)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
    );
  }
}
