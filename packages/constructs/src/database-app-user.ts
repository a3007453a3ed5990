import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { drFunction, lambdaRoleAndLogs, vpcPlacement } from './private/lambda-basics.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/**
 * A MySQL user name the `database-users` function manages: a letter or `_`, then letters,
 * digits or `_`, 32 characters at most (MySQL 8's limit). The function checks the same.
 * @see https://dev.mysql.com/doc/refman/8.4/en/user-names.html
 */
const MYSQL_USER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/** An RDS for MySQL database name (DBName): a letter, then letters, digits or `_`, 64 at most. */
const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Accounts RDS for MySQL keeps for itself. */
const RESERVED_USERS = new Set(['rdsadmin', 'rdsrepladmin', 'root', 'mysql.sys', 'mysql.session', 'mysql.infoschema']);

/**
 * The default app user of an app (`lamp` → `lamp_app`): its name with `-` as `_` (a MySQL user
 * name needs no quoting then), cut so the whole stays within MySQL's 32 characters.
 */
export function appUserName(app: string): string {
  return `${app.replace(/-/g, '_').slice(0, 28)}_app`;
}

/**
 * A primary database the app user is made in: `PilotLightDatabase` (the RDS tier) or
 * `PilotLightAuroraPrimary` (the Aurora global database tier).
 */
export interface IAppUserDatabase extends IConstruct, ec2.IConnectable {
  /** The master credentials the function creates the user with. */
  readonly masterSecret?: secretsmanager.ISecret;
  /** Whether IAM database authentication is on (the app user has no password). */
  readonly iamAuthentication: boolean;
  /** The writer's DNS address. */
  readonly endpointAddress: string;
  /** The writer's port. */
  readonly endpointPort: string;
  /** Lets `grantee` read the master credentials. */
  grantReadCredentials(grantee: iam.IGrantable): iam.Grant;
}

/** Props of {@link DatabaseAppUser}. */
export interface DatabaseAppUserProps {
  /** The primary database: its master secret is what creates the user. It must have IAM database authentication on. */
  readonly database: IAppUserDatabase;
  /** The database's VPC, where the function runs. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the function runs: subnets that reach the database on 3306 and Secrets Manager and the
   * CloudFormation response URL (S3) on 443, through NAT or endpoints.
   * @default - the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
  /** The app's MySQL user (see {@link appUserName} for the blueprint's default). */
  readonly userName: string;
  /** The database the app works in: the only one the user may touch. */
  readonly databaseName: string;
  /** Code of the function. @default the `database-users` bundle shipped in this package */
  readonly code?: lambda.Code;
}

/**
 * The app's own database user, least privilege, made at deploy time: a custom resource whose
 * function reads the master secret (it alone may) and, over TLS that verifies the RDS
 * certificate, creates `<userName>@'%'` identified by RDS's IAM plugin (no password exists),
 * TLS required, with SELECT, INSERT, UPDATE and DELETE on `<databaseName>.*` and nothing else:
 * schema changes are migrations an administrator runs with the master user, never the web tier.
 * Instances connect with a 15-minute IAM token their role signs locally ({@link grantConnect}).
 *
 * - **Update**: the same statements again (they are idempotent, and revoke what an operator
 *   added by hand). A new user name is a new physical id: the new user is made first, and
 *   CloudFormation deletes the old resource, which drops the old user, only once the update has
 *   succeeded (and the new one if it rolls back).
 * - **Delete** (stack deletion, or this construct removed) drops the user: the database keeps
 *   no account its template does not describe. A stack deletion's final snapshot is taken after
 *   that, so it holds no app user; deploying this construct against a restored instance makes it again.
 * - **Runs only on change**: after a failover the primary region's old database is fenced
 *   read-only, so a change to the user (its name, its database) must wait for the failback.
 * - **The DR region**: the user reaches the cross-region replica through MySQL replication.
 *   MySQL writes account statements to the binary log (`CREATE USER IF NOT EXISTS` whether or
 *   not the account existed: https://dev.mysql.com/worklog/task/?id=8540) and a replica applies
 *   its source's binary log; RDS does not say so of accounts in particular (UNCONFIRMED). A
 *   replica made after the user gets it in its snapshot. While replication lags, the DR app
 *   cannot yet connect; the readiness checks watch that lag. On the Aurora global database tier
 *   the user is in the cluster volume, which Aurora replicates at the storage layer.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 */
export class DatabaseAppUser extends Construct {
  /** The MySQL user the app connects as. */
  readonly userName: string;
  /** The database the user may change rows of. */
  readonly databaseName: string;
  /** The function behind the custom resource. */
  readonly function: lambda.Function;
  /** The custom resource; its physical id is the user name. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DatabaseAppUserProps) {
    super(scope, id);
    const secret = props.database.masterSecret;
    validateProps(this, [
      {
        failed: !MYSQL_USER_NAME.test(props.userName),
        message: `userName must be a MySQL user name (a letter or _, then letters, digits or _, at most 32); got ${JSON.stringify(props.userName)}`,
      },
      {
        failed: RESERVED_USERS.has(props.userName.toLowerCase()),
        message: `userName must not be an account RDS keeps for itself; got ${JSON.stringify(props.userName)}`,
      },
      {
        failed: !DATABASE_NAME.test(props.databaseName),
        message: `databaseName must be an RDS for MySQL database name (a letter, then letters, digits or _, at most 64); got ${JSON.stringify(props.databaseName)}`,
      },
      {
        failed: !props.database.iamAuthentication,
        message: 'database must have IAM database authentication on: the app user has no password, only IAM tokens',
      },
      {
        failed: secret === undefined,
        message: 'database must keep its master credentials in a generated secret: the function creates the user with them',
      },
    ]);
    this.userName = props.userName;
    this.databaseName = props.databaseName;

    const { role, logGroup } = lambdaRoleAndLogs(this, `Creates the ${props.userName} database user (least privilege) at deploy time`);
    // No "all outbound": the function reaches only the database, and HTTPS.
    const placement = vpcPlacement(this, role, props.vpc, props.subnets, false);
    props.database.connections.allowDefaultPortFrom(placement.securityGroup, 'the database-users function');
    // HTTPS to any address: Secrets Manager through the VPC's interface endpoint, and the
    // CloudFormation response URL, an S3 presigned URL reached through the S3 gateway endpoint at
    // S3's public addresses (a prefix-list rule would need an account lookup at synthesis).
    placement.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'Secrets Manager and the CloudFormation response URL (S3)',
    );
    // The only reader of the master secret besides its owner: instances never read it.
    props.database.grantReadCredentials(role);

    this.function = drFunction(this, {
      bundle: 'database-users',
      code: props.code,
      role,
      logGroup,
      // Little work (one connection, four statements) but a 1.4 MB bundle to load.
      memorySize: 256,
      // The function bounds its connection and each statement to 10 s; CloudFormation waits up to an hour for an answer.
      timeout: Duration.minutes(2),
      description: `Creates, updates and drops the ${props.userName} database user of ${props.database.node.path}`,
      placement,
    });
    this.resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::DatabaseAppUser',
      serviceToken: this.function.functionArn,
      properties: {
        SecretArn: secret?.secretArn ?? '',
        Host: props.database.endpointAddress,
        Port: props.database.endpointPort,
        UserName: props.userName,
        DatabaseName: props.databaseName,
      },
    });
    // The database must admit the function before it connects: the ingress rule sits under the
    // database's security group, which the resource's properties do not name.
    for (const group of props.database.connections.securityGroups) this.resource.node.addDependency(group);
  }

  /**
   * Lets `grantee` connect as the app user with IAM authentication (`rds-db:connect`), to the
   * databases of the grantee's own region: the primary's role to the primary, the DR role to the
   * replica once promoted. The resource id is a wildcard because the failover engine recreates
   * databases in a failback, which gives them new resource ids (DbiResourceId).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
   */
  grantConnect(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(Construct.isConstruct(grantee) ? grantee : this);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [`arn:${stack.partition}:rds-db:${stack.region}:${stack.account}:dbuser:*/${this.userName}`],
    });
    if (Construct.isConstruct(grantee)) {
      const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
      acknowledge(
        grantee,
        [
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds-db:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:dbuser:*/${this.userName}]`,
        ],
        `Connects only as ${this.userName}; the database resource id is a wildcard because a failback recreates databases with new resource ids (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).`,
      );
    }
    return grant;
  }
}
