import { describe, expect, it } from 'vitest';
import { parseConfig, parseConfigJson, validateConfig } from '../../src/config/parse.js';
import { ConfigError, isConfigError } from '../../src/errors.js';
import { engineSettingsOf } from '../../src/machine/types.js';
import { referenceInput } from '../fixtures.js';

function issuesOf(input: unknown): Record<string, string> {
  const result = validateConfig(input);
  if (result.ok) throw new Error('expected the config to be invalid');
  return Object.fromEntries(result.issues.map((i) => [i.path, i.message]));
}

describe('parseConfig', () => {
  it('accepts the reference topology and fills every default', () => {
    const config = parseConfig(referenceInput());

    expect(config.detection).toEqual({
      intervalSeconds: 10,
      failureThreshold: 2,
      recoveryThreshold: 2,
      quorum: 2,
      signals: ['probe', 'route53', 'endpoint-health', 'alarm'],
      cooldownSeconds: 600,
      probeTimeoutSeconds: 5,
      confirmSeconds: 90,
      staleAfterSeconds: 120,
      maintenanceSeconds: 900,
    });
    expect(config.healthPath).toBe('/ref');
    expect(config.approval.required).toBe(false);
    expect(config.timeouts.promotionSeconds).toBe(1200);
  });

  it('refuses a quorum the signals that survive an outage of the primary cannot reach, with one of them unreachable', () => {
    const issues = (detection: Record<string, unknown>, region?: string) => {
      const input = referenceInput();
      input.detection = detection;
      if (region) (input.primary as Record<string, unknown>).region = region;
      const result = validateConfig(input);
      return result.ok ? {} : Object.fromEntries(result.issues.map((i) => [i.path, i.message]));
    };

    // The alarm lives in the failed region: three signals survive, and one may not answer.
    expect(issues({ quorum: 3 })['detection.quorum']).toMatch(
      /at most 2: in an outage of eu-west-1 only probe, route53, endpoint-health can answer/,
    );
    expect(issues({ quorum: 2 })).toEqual({});
    // With the primary in us-west-2, Global Accelerator's control plane fails with it.
    expect(issues({ quorum: 2 }, 'us-west-2')['detection.quorum']).toMatch(/at most 1/);
    expect(issues({ signals: ['probe', 'alarm'], quorum: 1 })['detection.quorum']).toMatch(
      /needs at least two signals that survive it \(probe do\)/,
    );
  });

  it('names a confirmSeconds outside its range, or shorter than detection takes', () => {
    const at = (detection: Record<string, unknown>) => {
      const input = referenceInput();
      input.detection = detection;
      const result = validateConfig(input);
      return result.ok ? undefined : result.issues.find((i) => i.path === 'detection.confirmSeconds')?.message;
    };

    expect(at({ confirmSeconds: 5 })).toBe('must be at least 10 seconds');
    expect(at({ confirmSeconds: 5_000 })).toBe('must be at most 1800 seconds');
    expect(at({ confirmSeconds: 30, intervalSeconds: 20, failureThreshold: 3, probeTimeoutSeconds: 5 })).toMatch(
      /at least detection.intervalSeconds × detection.failureThreshold \(60\)/,
    );
    expect(at({ confirmSeconds: 120 })).toBeUndefined();
  });

  it('requires the primary health check when the signals name route53', () => {
    const input = referenceInput();
    delete (input.primary as Record<string, unknown>).route53HealthCheck;
    const result = validateConfig(input);

    expect(result.ok ? [] : result.issues).toContainEqual({
      path: 'primary.route53HealthCheck',
      message: 'is required when detection.signals names route53',
    });
  });

  it('names every bad field by path at once', () => {
    const input = referenceInput();
    const primary = input.primary as Record<string, unknown>;
    primary.region = 'Europe';
    primary.capacity = { min: 1, desired: 'two', max: 4 };
    delete primary.autoScalingGroupName;
    input.objectives = { rtoSeconds: 5, maxDataLossSeconds: -1 };
    input.detection = { quorum: 2.5 };

    const issues = issuesOf(input);

    expect(issues).toMatchObject({
      'primary.region': expect.stringContaining('AWS region'),
      'primary.capacity.desired': expect.stringContaining('whole number'),
      'primary.autoScalingGroupName': 'is required',
      'objectives.rtoSeconds': 'must be at least 60 seconds',
      'objectives.maxDataLossSeconds': 'must be at least 0 seconds',
      'detection.quorum': expect.stringContaining('whole number'),
    });
    expect(Object.keys(issues)).toHaveLength(6);
  });

  it('rejects unknown fields so a typo is never silently ignored', () => {
    const input = referenceInput();
    (input.objectives as Record<string, unknown>).rtoSecond = 900;

    expect(issuesOf(input)).toEqual({ 'objectives.rtoSecond': 'is not a known field' });
  });

  it('checks rules that span fields once the shape is right', () => {
    const input = referenceInput();
    (input.secondary as Record<string, unknown>).region = 'eu-west-1';
    (input.secondary as Record<string, unknown>).capacity = { min: 3, desired: 2, max: 1 };
    input.detection = { signals: ['probe'], quorum: 2 };

    expect(issuesOf(input)).toEqual({
      'secondary.region': 'must differ from primary.region (eu-west-1)',
      'secondary.capacity.min': 'must not exceed capacity.desired (2)',
      'secondary.capacity.desired': 'must not exceed capacity.max (1)',
      'detection.quorum': 'must not exceed the number of signals (1)',
    });
  });

  it('throws a ConfigError whose message lists each problem under the source name', () => {
    const input = referenceInput();
    input.app = 'Not Valid';

    let thrown: unknown;
    try {
      parseConfig(input, 'lamp.json');
    } catch (e) {
      thrown = e;
    }

    expect(isConfigError(thrown)).toBe(true);
    expect((thrown as ConfigError).message).toMatch(/^lamp\.json is invalid:\n {2}- app: must be a lower-case name/);
  });
});

describe('parseConfig on documents of the wrong shape', () => {
  it('says a section of the wrong type must be an object, not that it is unknown', () => {
    const input = referenceInput();
    (input as Record<string, unknown>).primary = 5;

    expect(issuesOf(input)).toEqual({ primary: 'must be an object' });
    expect(issuesOf(null)).toEqual({ '(root)': 'must be an object' });
  });
});

describe('parseConfigJson', () => {
  it('accepts a file saved with a byte-order mark', () => {
    expect(parseConfigJson(`\uFEFF${JSON.stringify(referenceInput())}`).app).toBe('lamp');
  });

  it('reports text that is not JSON as a config error at the root', () => {
    expect(() => parseConfigJson('{ nope', 'x.json')).toThrowError(/x\.json is invalid:\n {2}- \(root\): is not valid JSON/);
  });

  it('reports a document that is not an object', () => {
    expect(() => parseConfigJson('[]')).toThrowError(ConfigError);
  });
});

describe('the settings of the lifecycle', () => {
  it('fills the drain, containment, unreachable, approval-expiry and operator-hold defaults', () => {
    const config = parseConfig(referenceInput());

    expect(config.timeouts).toMatchObject({ drainSeconds: 60, containmentSeconds: 60, unreachableSeconds: 60 });
    expect(config.approval.expiresAfterSeconds).toBe(1_800);
    expect(config.controller.operatorHoldSeconds).toBe(1_800);
  });

  it('polls a step in progress every 2 s unless timeouts.pollSeconds says otherwise, and names a poll out of range by path', () => {
    expect(engineSettingsOf(parseConfig(referenceInput())).pollMs).toBe(2_000);
    expect(engineSettingsOf(parseConfig({ ...referenceInput(), timeouts: { pollSeconds: 0.25 } })).pollMs).toBe(250);

    expect(issuesOf({ ...referenceInput(), timeouts: { pollSeconds: 0 } })).toEqual({
      'timeouts.pollSeconds': 'must be at least 0.05 seconds',
    });
    expect(issuesOf({ ...referenceInput(), timeouts: { pollSeconds: 61 } })).toEqual({
      'timeouts.pollSeconds': 'must be at most 60 seconds',
    });
  });

  it("requires each region's own parameter group, and names a bad database setting by path", () => {
    const input = referenceInput();
    delete (input.primary as Record<string, unknown>).dbParameterGroupName;
    (input.secondary as { dbSettings: Record<string, unknown> }).dbSettings.backupRetentionDays = 40;
    (input.secondary as { dbSettings: Record<string, unknown> }).dbSettings.instanceClass = 't3.small';

    expect(issuesOf(input)).toEqual({
      'primary.dbParameterGroupName': 'is required',
      'secondary.dbSettings.instanceClass': expect.stringContaining('db.t3.small'),
      'secondary.dbSettings.backupRetentionDays': 'must be at most 35 days',
    });
  });
});

describe('healthCheckVia', () => {
  it('accepts a function name or a function ARN in the region', () => {
    const byName = referenceInput();
    (byName.secondary as Record<string, unknown>).healthCheckVia = 'lamp-health-record-reader';
    const byArn = referenceInput();
    (byArn.secondary as Record<string, unknown>).healthCheckVia =
      'arn:aws:lambda:us-east-1:123456789012:function:lamp-health-record-reader';

    expect(parseConfig(byName).secondary.healthCheckVia).toBe('lamp-health-record-reader');
    expect(parseConfig(byArn).secondary.healthCheckVia).toBe('arn:aws:lambda:us-east-1:123456789012:function:lamp-health-record-reader');
    expect(parseConfig(referenceInput()).secondary.healthCheckVia).toBeUndefined();
  });

  it('names the field when it is neither a function name nor a function ARN', () => {
    const input = referenceInput();
    (input.secondary as Record<string, unknown>).healthCheckVia = 'http://10.0.0.5/ref';

    expect(issuesOf(input)).toEqual({ 'secondary.healthCheckVia': expect.stringContaining('must be a Lambda function name') });
  });

  it("refuses a function in another region than the region's own", () => {
    const input = referenceInput();
    (input.secondary as Record<string, unknown>).healthCheckVia =
      'arn:aws:lambda:eu-west-1:123456789012:function:lamp-health-record-reader';

    expect(issuesOf(input)).toEqual({
      'secondary.healthCheckVia':
        'must be a function in secondary.region (us-east-1), the region whose VPC holds the load balancer; got one in eu-west-1',
    });
  });
});
