import { SCENARIOS, scenarioOperation } from '@dr/failover-core/drill';
import { describe, expect, it } from 'vitest';
import { dr } from './run-cli.js';
import { expectValidDocument, schemaErrors } from './json-schema.js';

describe('the JSON schema of dr --json', () => {
  it.each(SCENARIOS.map((s) => [s] as const))('describes the document of dr drill --scenario %s', (scenario) => {
    const operation = scenarioOperation(scenario) ?? 'failover';
    const r = dr('drill', '--scenario', scenario, '--operation', operation, '--json', '--seed', '3');

    const document = expectValidDocument<{
      schemaVersion: number;
      command: string;
      mode: string;
      outcome: string;
      measures: { rtoSeconds: number | null };
      rtoSeconds: number | null;
    }>(r.stdout);
    expect(document).toMatchObject({ schemaVersion: 1, command: 'drill', mode: 'simulated' });
    // The head carries the measures every command shares; the drill's own fields agree with it.
    expect(document.measures.rtoSeconds).toBe(document.rtoSeconds);
    expect(r.code === 0 || r.code === 1).toBe(true);
  });

  it.each([['failback'], ['switchover']] as const)('describes the document of dr drill --operation %s', (operation) => {
    const r = dr('drill', '--operation', operation, '--json');

    expect(expectValidDocument(r.stdout)).toMatchObject({
      schemaVersion: 1,
      command: 'drill',
      mode: 'simulated',
      operation,
      outcome: 'completed',
    });
  });

  it('describes the document of a lifecycle drill', () => {
    const r = dr('drill', '--operation', 'lifecycle', '--sequence', 'failover,failback', '--json');

    expect(expectValidDocument(r.stdout)).toMatchObject({
      schemaVersion: 1,
      command: 'drill',
      mode: 'simulated',
      operation: 'lifecycle',
      measures: null,
      summary: null,
    });
  });

  it('rejects documents that break it, so a passing validation means something', () => {
    const good = JSON.parse(dr('drill', '--json').stdout) as Record<string, unknown>;
    expect(schemaErrors(good)).toEqual([]);

    const { schemaVersion: _version, ...unversioned } = good;
    expect(schemaErrors(unversioned).join('\n')).toMatch(/schemaVersion/);
    expect(schemaErrors({ ...good, schemaVersion: 2 }).join('\n')).toMatch(/schemaVersion/);
    expect(schemaErrors({ ...good, command: 'teleport' }).join('\n')).toMatch(/command/);
    expect(schemaErrors({ ...good, measures: { rtoSeconds: 1 } }).join('\n')).toMatch(/measures/);
    expect(schemaErrors({ ...good, outcome: 'recovered' }).join('\n')).toMatch(/outcome/);
    expect(schemaErrors({ ...good, generatedAt: 'yesterday' }).join('\n')).toMatch(/generatedAt/);
  });
});
