import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { appUserName } from '../src/database-app-user.js';
import { DatabaseAppUser, PilotLight, PilotLightDatabase, PilotLightNetwork, type DatabaseAppUserProps } from '../src/index.js';
import { referenceProps, stackIn } from './helpers.js';

function appUser(props: Partial<DatabaseAppUserProps> = {}) {
  const stack = stackIn('eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const database = new PilotLightDatabase(stack, 'Db', { vpc, instanceIdentifier: 'lamp-primary', secretReplicaRegions: ['us-east-1'] });
  const user = new DatabaseAppUser(stack, 'AppUser', { database, vpc, userName: 'lamp_app', databaseName: 'lampdb', ...props });
  // A getter: a test may add to the app before it synthesizes.
  return {
    stack,
    database,
    user,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

/** The database's port, as CloudFormation resolves it (a deploy-time attribute). */
const DB_PORT = Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^DbInstance'), 'Endpoint.Port'] });

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type PolicyResource = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles?: { Ref: string }[] } };
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every identity-policy statement of a template, with the roles it is attached to. */
function statementsByRole(template: Template): { roles: string[]; statement: Statement }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as PolicyResource[];
  return policies.flatMap((p) =>
    p.Properties.PolicyDocument.Statement.map((statement) => ({ roles: (p.Properties.Roles ?? []).map((r) => r.Ref), statement })),
  );
}

describe('DatabaseAppUser', () => {
  it('makes the user at deploy: a custom resource naming the master secret, the endpoint, the user and its database', () => {
    const { stack, database, template } = appUser();

    template.hasResourceProperties('Custom::DatabaseAppUser', {
      SecretArn: stack.resolve(database.instance.secret?.secretArn),
      Host: stack.resolve(database.instance.dbInstanceEndpointAddress),
      Port: stack.resolve(database.instance.dbInstanceEndpointPort),
      UserName: 'lamp_app',
      DatabaseName: 'lampdb',
    });
  });

  it('runs the shipped database-users bundle on arm64 in the private subnets, told no DR config', () => {
    const { stack, template } = appUser();
    const net = stack.node.findChild('Net') as PilotLightNetwork;

    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      VpcConfig: Match.objectLike({ SubnetIds: stack.resolve(net.vpc.privateSubnets.map((s) => s.subnetId)) }),
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'dr-database-users', POWERTOOLS_METRICS_NAMESPACE: 'PilotLightDR' } },
    });
  });

  it('reaches only the database on 3306 and HTTPS, and the database admits it', () => {
    const { stack, database, user, template } = appUser();
    const fnGroup = stack.resolve(user.function.connections.securityGroups[0]?.securityGroupId);
    const dbGroup = stack.resolve(database.connections.securityGroups[0]?.securityGroupId);
    const group = Object.values(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: 'Test/AppUser Lambda: no inbound, listed outbound' },
      }),
    )[0] as { Properties: { SecurityGroupEgress: unknown[] } };

    expect(group.Properties.SecurityGroupEgress).toEqual([
      {
        CidrIp: '0.0.0.0/0',
        Description: 'Secrets Manager and the CloudFormation response URL (S3)',
        FromPort: 443,
        IpProtocol: 'tcp',
        ToPort: 443,
      },
    ]);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: fnGroup,
      DestinationSecurityGroupId: dbGroup,
      FromPort: DB_PORT,
      ToPort: DB_PORT,
      IpProtocol: 'tcp',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: dbGroup,
      SourceSecurityGroupId: fnGroup,
      FromPort: DB_PORT,
      ToPort: DB_PORT,
    });
  });

  it('waits for the database to admit the function before it runs', () => {
    const { template } = appUser();
    const [resource] = Object.values(template.findResources('Custom::DatabaseAppUser')) as { DependsOn?: string[] }[];
    const ingress = Object.keys(
      template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { Description: 'the database-users function' } }),
    );

    expect(ingress).toHaveLength(1);
    for (const id of ingress) expect(resource?.DependsOn).toContain(id);
  });

  it('lets its own function, and nothing else, read the master secret', () => {
    const { stack, user, template } = appUser();
    const fnRole = (stack.resolve((user.function.role as iam.Role).roleName) as { Ref: string }).Ref;
    const readers = statementsByRole(template).filter(({ statement }) =>
      list(statement.Action).some((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:*'),
    );

    expect(readers.flatMap((r) => r.roles)).toEqual([fnRole]);
  });

  it("lets a grantee connect as the user, to any database of the grantee's own region", () => {
    const { user } = appUser();
    const app = user.node.root as App;
    const drStack = new Stack(app, 'Dr', { env: { account: '123456789012', region: 'us-east-1' } });
    const role = new iam.Role(drStack, 'Instances', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    user.grantConnect(role);

    Template.fromStack(drStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:us-east-1:123456789012:dbuser:*/lamp_app']] },
          },
        ],
      },
    });
  });

  it("leaves no cdk-nag AwsSolutions finding unacknowledged: the dbuser wildcard is the failback's new resource ids", () => {
    const { stack, user } = appUser();
    const role = new iam.Role(stack, 'Instances', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    user.grantConnect(role);

    const report = new AwsSolutionsChecks().validateScope(stack);

    const ours = report.violations.filter((v) => v.violatingResources.some((r) => /AppUser|Instances/.test(r.constructPath ?? '')));
    expect(ours.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('names every prop that cannot work', () => {
    const bad = () => appUser({ userName: "app'; DROP", databaseName: '1db' });

    expect(bad).toThrowError(/userName must be a MySQL user name[\s\S]*databaseName must be an RDS for MySQL database name/);
    expect(() => appUser({ userName: 'rdsadmin' })).toThrowError(/userName must not be an account RDS keeps for itself/);
    expect(() => appUser({ userName: 'a'.repeat(33) })).toThrowError(/userName must be a MySQL user name/);
  });

  it('makes each app a valid MySQL user name: - as _, at most 32 characters', () => {
    expect(appUserName('lamp')).toBe('lamp_app');
    expect(appUserName('my-shop')).toBe('my_shop_app');
    expect(appUserName(`a${'-b'.repeat(15)}`)).toHaveLength(32);
  });
});

describe('DatabaseAppUser in the reference blueprint', () => {
  const props = referenceProps;
  const pilot = new PilotLight(new App(), 'Lamp', props);
  const stacks = [pilot.primaryStack, pilot.secondaryStack, pilot.globalStack, pilot.controlStack, pilot.primaryConfigStack];
  /** The role of each region's instances (its instance profile's). */
  const instanceRole = (stack: Stack) => {
    const [profile] = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::InstanceProfile', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AppInstanceRole') }] },
      }),
    ) as { Properties: { Roles: { Ref: string }[] } }[];
    return profile!.Properties.Roles[0]!.Ref;
  };

  it("lets no role but the app user's function read any secret, in any stack", () => {
    const readers = stacks.flatMap((stack) =>
      statementsByRole(Template.fromStack(stack))
        .filter(({ statement }) => list(statement.Action).some((a) => a.startsWith('secretsmanager:Get') || a === 'secretsmanager:*'))
        .flatMap((r) => r.roles.map((role) => `${stack.stackName}/${role}`)),
    );

    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^Lamp-Primary\/AppUserRole/);
  });

  it("lets each region's instances connect as lamp_app to their own region's database, and nothing else of the database", () => {
    for (const [stack, region] of [
      [pilot.primaryStack, 'eu-west-1'],
      [pilot.secondaryStack, 'us-east-1'],
    ] as const) {
      const role = instanceRole(stack);
      const connect = statementsByRole(Template.fromStack(stack)).filter(({ statement }) =>
        list(statement.Action).some((a) => a.startsWith('rds-db:')),
      );

      expect(connect).toHaveLength(1);
      expect(connect[0]!.roles).toEqual([role]);
      expect(JSON.stringify(connect[0]!.statement.Resource)).toBe(
        JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${region}:123456789012:dbuser:*/lamp_app`]] }),
      );
    }
  });

  it('boots instances with no reference to a secret', () => {
    for (const stack of [pilot.primaryStack, pilot.secondaryStack]) {
      const launchTemplates = JSON.stringify(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate'));

      expect(launchTemplates).toContain('generate-db-auth-token');
      expect(launchTemplates).not.toMatch(/secretsmanager|credentials|DB_PASSWORD/);
    }
  });
});
