import { describe, expect, it } from 'vitest';
import { dr } from '../run-cli.js';

describe('dr help', () => {
  it.each([['drill'], ['status'], ['failover'], ['plan'], ['snapshot'], ['completion']])(
    "dr help %s prints what the command's --help prints, exit 0",
    (command) => {
      const viaHelp = dr('help', command);
      const viaOption = dr(command, '--help');

      expect(viaHelp.code).toBe(0);
      expect(viaOption.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaOption.stdout);
      expect(viaHelp.stdout).toContain(`Usage: dr ${command}`);
      expect(viaHelp.stderr).toBe('');
    },
  );

  it('dr help prints what dr --help prints, exit 0', () => {
    const viaHelp = dr('help');
    const viaOption = dr('--help');

    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaOption.stdout);
    expect(viaHelp.stdout).toContain('Usage: dr [options] [command]');
  });

  it('dr with no command is a usage error: exit 2, the help on stderr', () => {
    const r = dr();

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: dr [options] [command]');
  });

  it('dr help of a command that does not exist says so, exit 2', () => {
    const r = dr('help', 'nosuch');

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error unknown command "nosuch" (run dr --help for the commands)\n');
  });
});
