/**
 * A MySQL account name this function will manage: a letter or underscore, then letters, digits
 * or underscores, 32 characters at most (MySQL 8's limit on user names). Narrower than MySQL
 * allows, so a name needs no escaping inside the statements' quotes.
 * @see https://dev.mysql.com/doc/refman/8.4/en/user-names.html
 */
export const MYSQL_USER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/**
 * An RDS for MySQL database name: a letter, then letters, digits or underscores, 64 at most.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBName, MySQL)
 */
export const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Who the app user is and which database it works in. */
export interface AppUserSpec {
  readonly userName: string;
  readonly databaseName: string;
}

/** What the web tier does with its data: rows only. */
export const APP_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

const account = (userName: string) => `'${userName}'@'%'`;

function checkUser(userName: string): void {
  if (!MYSQL_USER_NAME.test(userName))
    throw new Error(
      `UserName must be a MySQL user name (a letter or _, then letters, digits or _, at most 32); got ${JSON.stringify(userName)}`,
    );
}

/**
 * The statements that make `spec.userName` exist as an IAM-authenticated account that may
 * change rows of `spec.databaseName` and nothing else, whatever state it was in: each is
 * idempotent, so Create, Update and a retried request all run the same list.
 *
 * - `CREATE USER IF NOT EXISTS ... IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`: RDS's
 *   plugin checks the IAM token given as the password; no password exists to leak.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 * - `ALTER USER` repeats it: `IF NOT EXISTS` leaves an existing account (one made by hand with a
 *   password, say) as it was.
 * - `REQUIRE SSL`: the token travels as a clear-text password, so only over TLS (the same page
 *   asks for it; the parameter group's `require_secure_transport` enforces it for everyone).
 * - `REVOKE ALL PRIVILEGES, GRANT OPTION` then one `GRANT`: the account ends with exactly the
 *   app's privileges, whatever an operator added by hand or an earlier database name left.
 *   Privileges only on `<database>.*` and only DML: schema changes are migrations an
 *   administrator runs, never the web tier, so a compromised web server cannot drop or alter
 *   tables, read another database, or pass privileges on.
 */
export function ensureStatements(spec: AppUserSpec): string[] {
  checkUser(spec.userName);
  if (!DATABASE_NAME.test(spec.databaseName))
    throw new Error(
      `DatabaseName must be an RDS for MySQL database name (a letter, then letters, digits or _, at most 64); got ${JSON.stringify(spec.databaseName)}`,
    );
  const who = account(spec.userName);
  return [
    `CREATE USER IF NOT EXISTS ${who} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL`,
    `ALTER USER ${who} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL`,
    `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${who}`,
    `GRANT ${APP_PRIVILEGES.join(', ')} ON \`${spec.databaseName}\`.* TO ${who}`,
  ];
}

/** The statement that removes the account, whether it exists or not. */
export function dropStatements(userName: string): string[] {
  checkUser(userName);
  return [`DROP USER IF EXISTS ${account(userName)}`];
}
