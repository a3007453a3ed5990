import { describe, expect, it } from 'vitest';
import { SimulationStalledError, VirtualClock } from '../../src/sim/virtual-clock.js';

describe('VirtualClock', () => {
  it('passes virtual hours at once and wakes sleepers in time order, ties in the order they slept', async () => {
    const clock = new VirtualClock(0);
    const woke: string[] = [];

    await clock.run(async () => {
      await Promise.all([
        clock.sleep(3_600_000).then(() => woke.push(`b@${clock.now()}`)),
        clock.sleep(1_000).then(() => woke.push(`a@${clock.now()}`)),
        clock.sleep(3_600_000).then(() => woke.push(`c@${clock.now()}`)),
      ]);
    });

    expect(woke).toEqual(['a@1000', 'b@3600000', 'c@3600000']);
  });

  it('reports a simulation in which every task waits on something that never comes', async () => {
    const clock = new VirtualClock(0);

    await expect(clock.run(() => new Promise<void>(() => undefined))).rejects.toThrow(SimulationStalledError);
  });

  it('abandons a run past its virtual time limit', async () => {
    const clock = new VirtualClock(0);

    await expect(clock.run(() => clock.sleep(10_000), 5_000)).rejects.toThrow(/limit of 5s/);
  });
});
