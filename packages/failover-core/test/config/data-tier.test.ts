import { describe, expect, it } from 'vitest';
import { globalLagMetricName } from '../../src/config/data-tier.js';
import { validateConfig } from '../../src/config/parse.js';
import { referenceAuroraConfig, referenceConfig } from '../../src/config/reference.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a copy to break, field by field, as JSON.parse returns it
const auroraInput = (): Record<string, any> => JSON.parse(JSON.stringify(referenceAuroraConfig));

function issuesOf(input: unknown): Record<string, string> {
  const result = validateConfig(input);
  return result.ok ? {} : Object.fromEntries(result.issues.map((i) => [i.path, i.message]));
}

describe('the data tier', () => {
  it('defaults to the RDS read replica of the brief', () => {
    const result = validateConfig(referenceConfig);
    expect(result.ok && result.config.database).toEqual({ tier: 'rds-replica' });
  });

  it('accepts the Aurora reference topology', () => {
    const result = validateConfig(referenceAuroraConfig);
    expect(result.ok ? result.config.database : result.issues).toEqual({
      tier: 'aurora-global',
      globalClusterIdentifier: 'lamp-global',
      engineVersion: '8.0.mysql_aurora.3.08.0',
    });
  });

  it.each([
    ['5.7.mysql_aurora.2.11.2', /Aurora MySQL version 3/],
    ['8.0.mysql_aurora.3.00.0', /3\.01\.0 or later/],
    ['8.0.36', /Aurora MySQL version 3/],
    [8, /Aurora MySQL version/],
  ])('refuses engine version %s, which has no global database we drive, naming the field', (engineVersion, message) => {
    const input = auroraInput();
    input.database.engineVersion = engineVersion;
    expect(issuesOf(input)['database.engineVersion']).toMatch(message);
  });

  it('refuses an unknown tier, naming it', () => {
    const input = auroraInput();
    input.database = { tier: 'dynamodb-global' };
    expect(Object.keys(issuesOf(input))).toContain('database.tier');
  });

  it('refuses a DR region without a key, and every other missing cluster field, by path', () => {
    const input = auroraInput();
    delete input.secondary.dbKmsKeyArn;
    delete input.primary.dbClusterIdentifier;
    delete input.secondary.dbClusterParameterGroupName;
    const issues = issuesOf(input);
    expect(issues['secondary.dbKmsKeyArn']).toMatch(/encrypted with a key of its own region/);
    expect(issues['primary.dbClusterIdentifier']).toMatch(/required with database.tier aurora-global/);
    expect(issues['secondary.dbClusterParameterGroupName']).toMatch(/where writes are fenced/);
  });

  it('refuses an instance class a global database does not run on', () => {
    const input = auroraInput();
    input.primary.dbSettings.instanceClass = 'db.t3.small';
    expect(issuesOf(input)['primary.dbSettings.instanceClass']).toMatch(/memory-optimized class .*db\.t3\.small/);
  });

  it('refuses cluster fields on the RDS tier, where nothing would read them', () => {
    const input = JSON.parse(JSON.stringify(referenceConfig));
    input.secondary.dbClusterIdentifier = 'lamp-secondary';
    expect(issuesOf(input)['secondary.dbClusterIdentifier']).toMatch(/aurora-global tier/);
  });

  it('reads the global lag from AuroraGlobalDBRPOLag from Aurora MySQL 3.04, AuroraGlobalDBReplicationLag before', () => {
    expect(globalLagMetricName('8.0.mysql_aurora.3.03.1')).toBe('AuroraGlobalDBReplicationLag');
    expect(globalLagMetricName('8.0.mysql_aurora.3.04.0')).toBe('AuroraGlobalDBRPOLag');
    expect(globalLagMetricName('8.0.mysql_aurora.3.10.1')).toBe('AuroraGlobalDBRPOLag');
  });
});
