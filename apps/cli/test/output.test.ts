import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import {
  colorWanted,
  displayWidth,
  endQuietlyOnClosedPipe,
  layoutTable,
  Output,
  terminalWidth,
  wrapText,
  type PipeOwner,
} from '../src/output.js';

/** A stdout that keeps what is written, a terminal or a pipe as asked. */
function sink(tty: { isTTY?: boolean; columns?: number } = {}): NodeJS.WritableStream & { text: () => string } {
  const chunks: string[] = [];
  return Object.assign(
    { write: (chunk: string) => chunks.push(chunk) > 0, text: () => chunks.join('') },
    tty,
  ) as unknown as NodeJS.WritableStream & { text: () => string };
}

const ESC = '\x1b[';
const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const linesOf = (text: string) => text.replace(/\n$/, '').split('\n');
const widest = (text: string) => Math.max(...linesOf(text).map(displayWidth));

/** What `table` prints into `width` columns. */
function tableAt(width: number, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const stdout = sink();
  new Output(stdout, sink(), false, { width, color: false }).table(head, rows);
  return stdout.text();
}

const STATUS_HEAD = ['', 'eu-west-1 (primary)', 'us-east-1 (secondary)'];
const STATUS_ROWS = [
  ['database', 'lamp-primary: primary, available, writable, Multi-AZ', 'lamp-replica: replica, available, lag 1 s ≤ 60 s'],
  ['fence', 'read_only {TrueIfReplica} lamp-primary-params, in-sync', 'read_only {TrueIfReplica} lamp-replica-params, in-sync'],
  ['snapshot', 'arn:aws:rds:eu-west-1:123456789012:snapshot:lamp-daily-2026-11-24-0300', 'none'],
];

describe('terminalWidth', () => {
  it('takes the terminal width on a TTY, else COLUMNS, else 100', () => {
    expect(terminalWidth(sink({ isTTY: true, columns: 132 }), { COLUMNS: '60' })).toBe(132);
    expect(terminalWidth(sink(), { COLUMNS: '60' })).toBe(60);
    expect(terminalWidth(sink(), {})).toBe(100);
    expect(terminalWidth(sink(), { COLUMNS: 'wide' })).toBe(100);
  });

  it('lays out a terminal narrower than 20 columns as 20 wide', () => {
    expect(terminalWidth(sink(), { COLUMNS: '8' })).toBe(20);
  });
});

describe('colorWanted', () => {
  it('colours a terminal and not a pipe, even when CI is set (unlike picocolors on its own)', () => {
    expect(colorWanted(sink({ isTTY: true }), {})).toBe(true);
    expect(colorWanted(sink(), { CI: 'true' })).toBe(false);
    expect(colorWanted(sink({ isTTY: true }), { TERM: 'dumb' })).toBe(false);
  });

  it('colours a pipe when FORCE_COLOR is set non-zero, and never when NO_COLOR is set', () => {
    expect(colorWanted(sink(), { FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(sink({ isTTY: true }), { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(sink({ isTTY: true }), { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorWanted(sink({ isTTY: true }), { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorWanted(sink({ isTTY: true }), { NO_COLOR: '' })).toBe(true);
  });

  it('decides per Output instance, from its own stdout', () => {
    const pipe = sink();
    const terminal = sink({ isTTY: true });
    new Output(pipe, sink(), false, { env: { CI: '1' } }).heading('Summary');
    new Output(terminal, sink(), false, { env: {} }).heading('Summary');

    expect(pipe.text()).not.toContain(ESC);
    expect(terminal.text()).toContain(`${ESC}1mSummary`);
  });

  it('colours the error label by stderr, not stdout', () => {
    const stderr = sink();
    new Output(sink({ isTTY: true }), stderr, false, { env: {} }).error('bad');

    expect(stderr.text()).toBe('error bad\n');
  });
});

describe('displayWidth', () => {
  it('agrees with string-width, which cli-table3 measures with', () => {
    for (const text of [
      'plain',
      red('coloured'),
      'lag 1 s ≤ 60 s',
      '✓ promote-replica → done — ok',
      '漢字 table',
      'e\u0301',
      '',
      '▶ ■ ◆ ✗ │',
    ]) {
      expect(displayWidth(text), text).toBe(stringWidth(text));
    }
  });

  it('measures the widest line of a multi-line text', () => {
    expect(displayWidth('ab\nabcd\n')).toBe(4);
  });
});

describe('wrapText', () => {
  it('wraps on spaces', () => {
    expect(wrapText('the replica is in sync', 10)).toEqual(['the', 'replica is', 'in sync']);
  });

  it('breaks a word longer than the line instead of cutting it', () => {
    const arn = 'arn:aws:rds:eu-west-1:123456789012:snapshot:x';

    const lines = wrapText(arn, 12);

    expect(lines.join('')).toBe(arn);
    expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(12);
  });

  it('keeps colour codes and does not count them', () => {
    expect(wrapText(`${red('down')} since 03:12 UTC`, 10)).toEqual([`${red('down')} since`, '03:12 UTC']);
  });

  it('never splits a double-width character across the edge', () => {
    expect(wrapText('漢字漢字漢', 5)).toEqual(['漢字', '漢字', '漢']);
  });
});

describe('Output.table', () => {
  it('prints a table that fits at the width of its content', () => {
    const text = tableAt(200, STATUS_HEAD, STATUS_ROWS);

    const contentWidths = STATUS_HEAD.map((h, i) => Math.max(displayWidth(h), ...STATUS_ROWS.map((r) => displayWidth(r[i]!))));
    expect(widest(text)).toBe(3 * 3 + 1 + contentWidths.reduce((a, b) => a + b));
    expect(text).toContain('arn:aws:rds:eu-west-1:123456789012:snapshot:lamp-daily-2026-11-24-0300');
  });

  it('wraps cells to fit a narrower width, keeping every word', () => {
    const text = tableAt(80, STATUS_HEAD, STATUS_ROWS);

    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toMatch(/│ database │ lamp-primary: primary, available,/);
    // No identifier up to 20 columns is broken in two.
    expect(text).toMatch(/lamp-replica-params,/);
    expect(text).not.toContain('…');
    for (const word of ['Multi-AZ', 'in-sync', 'none', 'lag']) expect(text).toContain(word);
  });

  it('prints one block of labelled values per row when even wrapped columns do not fit', () => {
    const head = ['step', 'region', 'started', 'took', 'outcome', 'calls'];
    const rows = [['promote-replica', 'us-east-1', '03:12:04', '4m 10s', 'completed', 'PromoteReadReplica 1']];

    const text = tableAt(40, head, rows);

    expect(layoutTable(head, rows, 40)).toEqual({ kind: 'blocks' });
    expect(widest(text)).toBeLessThanOrEqual(40);
    expect(linesOf(text)).toEqual([
      'step: promote-replica',
      '  region   us-east-1',
      '  started  03:12:04',
      '  took     4m 10s',
      '  outcome  completed',
      '  calls    PromoteReadReplica 1',
    ]);
  });

  it('never prints a line wider than the width, and cuts nothing off, for any table in 30 columns or more', () => {
    const word = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'Z', '9', '-', ':', '/', '✓', '→', '—', '≤', '漢'), minLength: 1, maxLength: 30 }),
      fc.string({ unit: fc.constantFrom('x', 'y'), minLength: 1, maxLength: 8 }).map(red),
    );
    const cell = fc.array(word, { maxLength: 8 }).map((words) => words.join(' '));
    const table = fc.integer({ min: 1, max: 8 }).chain((columns) =>
      fc.record({
        head: fc.array(cell, { minLength: columns, maxLength: columns }),
        rows: fc.array(
          fc.array(
            fc.oneof(
              cell,
              cell.map((c) => `${c}\n${c}`),
            ),
            { minLength: columns, maxLength: columns },
          ),
          { maxLength: 5 },
        ),
        width: fc.integer({ min: 30, max: 200 }),
      }),
    );

    fc.assert(
      fc.property(table, ({ head, rows, width }) => {
        const text = tableAt(width, head, rows);

        expect(widest(text)).toBeLessThanOrEqual(width);
        expect(text).not.toContain('…');
      }),
      { numRuns: 300 },
    );
  });
});

describe('Output.fields', () => {
  it('wraps a long value under its column', () => {
    const stdout = sink();
    const out = new Output(stdout, sink(), false, { width: 40, color: false });

    out.fields([
      ['RTO', '312.4 s'],
      ['critical path', 'detect 91.0 s → scale-dr 120.0 s → promote-replica 95.1 s'],
    ]);

    expect(linesOf(stdout.text())).toEqual([
      '  RTO            312.4 s',
      '  critical path  detect 91.0 s →',
      '                 scale-dr 120.0 s →',
      '                 promote-replica 95.1 s',
    ]);
  });

  it('puts each value under its label when the labels leave too little room', () => {
    const stdout = sink();
    const out = new Output(stdout, sink(), false, { width: 30, color: false });

    out.fields([['a label that is very long', 'the value beside it']]);

    expect(linesOf(stdout.text())).toEqual(['  a label that is very long', '    the value beside it']);
  });
});

describe('endQuietlyOnClosedPipe', () => {
  function owner(interruptListeners = 0) {
    const written: string[] = [];
    const stderr = Object.assign(new EventEmitter(), { write: (s: string) => written.push(s) > 0 });
    const fake = {
      stdout: new EventEmitter(),
      stderr,
      listenerCount: () => interruptListeners,
      emit: vi.fn((_event: 'SIGINT', _signal: 'SIGINT') => true),
      exit: vi.fn((_code: number) => undefined),
      written,
    };
    return fake satisfies PipeOwner;
  }
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('exits 0 when the reader of stdout has gone', () => {
    const process = owner();
    endQuietlyOnClosedPipe(process);

    process.stdout.emit('error', epipe);

    expect(process.exit).toHaveBeenCalledWith(0);
    expect(process.written).toEqual([]);
  });

  it('stops a command that stops gracefully (a failover, a live drill) as Ctrl-C does, once', () => {
    const process = owner(1);
    endQuietlyOnClosedPipe(process);

    process.stdout.emit('error', epipe);
    process.stdout.emit('error', epipe);

    expect(process.emit).toHaveBeenCalledTimes(1);
    expect(process.emit).toHaveBeenCalledWith('SIGINT', 'SIGINT');
    expect(process.exit).not.toHaveBeenCalled();
  });

  it('reports another write error in one line, exit 1', () => {
    const process = owner();
    endQuietlyOnClosedPipe(process);

    process.stdout.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));

    expect(process.written).toEqual(['error cannot write the output: no space left on device\n']);
    expect(process.exit).toHaveBeenCalledWith(1);
  });
});
