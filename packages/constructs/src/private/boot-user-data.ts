import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Boot commands for the image's /ref page: /etc/lamp/env (database host, name and app user, the
 * bucket, the region; no password), and a timer that writes a fresh IAM authentication token
 * for the app user to /etc/lamp/db-token (root and apache only) every 5 minutes; a token is
 * valid 15 (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 * `generate-db-auth-token` signs a presigned URL locally (SigV4) with the instance role's
 * credentials, which the CLI gets from the instance metadata service (IMDSv2): it calls no AWS
 * endpoint, so the DR region's instances need neither NAT nor an interface endpoint for it
 * (https://docs.aws.amazon.com/cli/latest/reference/rds/generate-db-auth-token.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html). Written at
 * boot rather than baked in the image: they change with the deploy, not with the image.
 */
export function appEnvironment(region: string, dbHost: string, dbName: string, dbUser: string, bucket: string): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  // String.raw: the scripts must reach the instance exactly as written here.
  userData.addCommands(
    'set -euo pipefail',
    'install -d -m 0750 -o root -g apache /etc/lamp',
    `printf 'DB_HOST="%s"\nDB_USER="%s"\nDB_NAME="%s"\nBUCKET="%s"\nAWS_REGION="%s"\n' '${dbHost}' '${dbUser}' '${dbName}' '${bucket}' '${region}' > /etc/lamp/env`,
    'chown root:apache /etc/lamp/env && chmod 0640 /etc/lamp/env',
    String.raw`cat > /usr/local/sbin/lamp-db-token <<'SH'
#!/bin/bash
# Writes a fresh IAM authentication token (valid 15 minutes) for the app's database user.
set -euo pipefail
source /etc/lamp/env
tmp=$(mktemp /etc/lamp/.db-token.XXXXXX)
trap 'rm -f "$tmp"' EXIT
aws rds generate-db-auth-token --hostname "$DB_HOST" --port 3306 --username "$DB_USER" --region "$AWS_REGION" --output text > "$tmp"
chown root:apache "$tmp" && chmod 0640 "$tmp"
# Renamed into place: the page never reads a half-written token.
mv -f "$tmp" /etc/lamp/db-token
SH`,
    'chmod 0755 /usr/local/sbin/lamp-db-token',
    String.raw`cat > /etc/systemd/system/lamp-db-token.service <<'UNIT'
[Unit]
Description=Writes the app's database token
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lamp-db-token
UNIT`,
    String.raw`cat > /etc/systemd/system/lamp-db-token.timer <<'UNIT'
[Unit]
Description=Refreshes the app's database token every 5 minutes (each is valid 15)
[Timer]
OnActiveSec=0
OnUnitActiveSec=5min
AccuracySec=15s
[Install]
WantedBy=timers.target
UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now lamp-db-token.timer',
    // The first token before Apache serves; the timer retries one that fails here.
    'for attempt in 1 2 3 4 5 6; do /usr/local/sbin/lamp-db-token && break; sleep 5; done',
    'systemctl restart httpd',
  );
  return userData;
}
