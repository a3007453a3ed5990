import type { WriteStream } from 'node:tty';
import Table from 'cli-table3';
import pc from 'picocolors';
import { displayWidth, layoutTable, wrapText } from './text-layout.js';

export { displayWidth, layoutTable, wrapText, type TableLayout } from './text-layout.js';

/** The colour functions of one stream: picocolors' set, on or off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Width assumed when stdout is not a terminal and `COLUMNS` says nothing: wide enough for a table, narrow enough for a log viewer. */
export const DEFAULT_WIDTH = 100;
/** Below this, nothing readable fits; a narrower terminal is laid out as this wide. */
export const MIN_WIDTH = 20;
/** Below this, a value is put under its label instead of beside it. */
const MIN_VALUE_WIDTH = 16;

/** The environment variables that decide width and colour (`process.env` by default). */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The width lines must fit in: the terminal's on a TTY, else `COLUMNS` (set by shells and by
 * people who pipe into a pager of known width), else {@link DEFAULT_WIDTH}; never below {@link MIN_WIDTH}.
 */
export function terminalWidth(stream: NodeJS.WritableStream, env: Env = process.env): number {
  const tty = stream as Partial<WriteStream>;
  const fromTerminal = tty.isTTY && tty.columns && tty.columns > 0 ? tty.columns : undefined;
  const fromEnv = env.COLUMNS !== undefined && /^\d+$/.test(env.COLUMNS) && Number(env.COLUMNS) > 0 ? Number(env.COLUMNS) : undefined;
  return Math.max(MIN_WIDTH, fromTerminal ?? fromEnv ?? DEFAULT_WIDTH);
}

/**
 * Whether to colour what goes to `stream`. `NO_COLOR` (any non-empty value, https://no-color.org)
 * turns colour off whatever else is set, as picocolors does; `FORCE_COLOR` turns it on unless it is
 * `0` or `false` (the values chalk and Node give that meaning); otherwise only a terminal that is
 * not `TERM=dumb` gets colour. Unlike picocolors' default, `CI` alone does not: a pipe in CI is a
 * log file, and escape codes there are noise.
 */
export function colorWanted(stream: NodeJS.WritableStream, env: Env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return (stream as Partial<WriteStream>).isTTY === true && env.TERM !== 'dumb';
}

/** Options of an {@link Output}, for tests and for streams that are not the process's own. */
export interface OutputOptions {
  /** Width lines must fit in. @default {@link terminalWidth} of stdout */
  readonly width?: number;
  /** Whether to colour stdout. @default {@link colorWanted} for stdout */
  readonly color?: boolean;
  /** Where `COLUMNS`, `NO_COLOR`, `FORCE_COLOR` and `TERM` are read. @default process.env */
  readonly env?: Env;
}

/**
 * The one place that writes for people and machines, so every command prints alike: human
 * output to stdout, diagnostics to stderr, and with `--json` nothing but one JSON document.
 * Each instance decides its width and its colours from its own streams, so a pipe gets plain
 * text that fits, and a terminal gets colour that fits the terminal.
 */
export class Output {
  /** Colour functions for stdout: off when stdout is not a terminal (see {@link colorWanted}). */
  readonly color: Colors;
  /** The width lines of tables and fields fit in. */
  readonly width: number;
  private readonly errorColor: Colors;

  constructor(
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    readonly json = false,
    options: OutputOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.width = options.width ?? terminalWidth(stdout, env);
    this.color = pc.createColors(options.color ?? colorWanted(stdout, env));
    this.errorColor = pc.createColors(colorWanted(stderr, env));
  }

  /** A line for people; silent under `--json`. */
  line(text = ''): void {
    if (!this.json) this.write(`${text}\n`);
  }

  /**
   * A sentence for people, wrapped to {@link width}: its first line after `indent`, the rest
   * after `hang` (so a numbered note or a bullet reads as one block).
   */
  paragraph(text: string, indent = '', hang = indent): void {
    const room = Math.max(MIN_VALUE_WIDTH, this.width - Math.max(displayWidth(indent), displayWidth(hang)));
    wrapText(text, room).forEach((line, i) => this.line(`${i === 0 ? indent : hang}${line}`));
  }

  heading(text: string): void {
    this.line();
    this.line(this.color.bold(text));
  }

  /**
   * Labels and their values, the values in one column; a long value wraps under its column, and
   * when the labels leave too little room, each value goes under its label.
   */
  fields(rows: readonly (readonly [string, string])[]): void {
    const labelWidth = Math.max(0, ...rows.map(([label]) => displayWidth(label)));
    const valueWidth = this.width - labelWidth - 4;
    for (const [label, value] of rows) {
      if (valueWidth >= MIN_VALUE_WIDTH) {
        const [first, ...rest] = wrapText(value, valueWidth);
        this.line(`  ${this.color.dim(label + ' '.repeat(labelWidth - displayWidth(label)))}  ${first}`);
        for (const line of rest) this.line(`${' '.repeat(labelWidth + 4)}${line}`);
      } else {
        for (const line of wrapText(label, this.width - 2)) this.line(`  ${this.color.dim(line)}`);
        for (const line of wrapText(value, this.width - 4)) this.line(`    ${line}`);
      }
    }
  }

  /** A table with a header row, fitted to {@link width} (see {@link layoutTable}). */
  table(head: readonly string[], rows: readonly (readonly string[])[]): void {
    const layout = layoutTable(head, rows, this.width);
    if (layout.kind === 'blocks') {
      // The first column names the row (a step, a region, a snapshot): it heads the block, the others are its fields.
      const [firstHead = '', ...otherHeads] = head;
      rows.forEach((row, i) => {
        if (i > 0) this.line();
        const title = firstHead === '' ? (row[0] ?? '') : `${firstHead}: ${row[0] ?? ''}`;
        for (const line of wrapText(title, this.width)) this.line(this.color.bold(line));
        this.fields(otherHeads.map((h, j) => [h, row[j + 1] ?? '']));
      });
      return;
    }
    const cell = (text: string, i: number) => wrapText(text, layout.widths[i]!).join('\n');
    const table = new Table({
      head: head.map((h, i) => this.color.bold(cell(h, i))),
      colWidths: layout.widths.map((w) => w + 2),
      // The cells come wrapped to fit; cli-table3's own wrapping then changes nothing and its
      // truncation never triggers, but both stay on so a misjudged width wraps instead of overflowing.
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: { head: [], border: [] },
    });
    table.push(...rows.map((r) => head.map((_, i) => cell(r[i] ?? '', i))));
    this.line(table.toString());
  }

  /** The one JSON document of a `--json` run. */
  document(value: unknown): void {
    this.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A diagnostic for people, on stderr. */
  error(text: string): void {
    this.stderr.write(`${this.errorColor.red('error')} ${text}\n`);
  }

  private write(text: string): void {
    // Once the reader of a pipe has gone (see endQuietlyOnClosedPipe), what is left to say has no one to read it.
    if ((this.stdout as Partial<WriteStream>).destroyed) return;
    this.stdout.write(text);
  }
}

/** The parts of `process` that {@link endQuietlyOnClosedPipe} uses. */
export interface PipeOwner {
  readonly stdout: NodeJS.EventEmitter;
  readonly stderr: NodeJS.EventEmitter;
  listenerCount(event: 'SIGINT'): number;
  emit(event: 'SIGINT', signal: 'SIGINT'): boolean;
  exit(code: number): void;
}

/**
 * Ends `dr` quietly when the reader of its stdout goes away (`dr drill | head -2`): Node reports
 * that as an EPIPE error on stdout, which unhandled ends the process with a stack trace.
 *
 * A command that stops gracefully on Ctrl-C (a failover keeps its run resumable and frees its
 * lease; a live drill restores the capacity it took away) is stopped that way, and its own exit
 * code stands: it did not finish. Anything else exits at once with 0, as a Unix tool does when
 * the reader went away: the reader chose to stop reading, nothing failed, and a script with
 * `set -o pipefail` around `dr drill | head` should not fail for it.
 * Any other error writing stdout (a full disk) is reported in one line, exit 1. Errors on stderr
 * are ignored: there is nowhere left to report them.
 */
export function endQuietlyOnClosedPipe(owner: PipeOwner = process): void {
  let stopping = false;
  owner.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') {
      (owner.stderr as NodeJS.WritableStream).write(`error cannot write the output: ${e.message}\n`);
      owner.exit(1);
      return;
    }
    if (stopping) return;
    stopping = true;
    if (owner.listenerCount('SIGINT') > 0) owner.emit('SIGINT', 'SIGINT');
    else owner.exit(0);
  });
  owner.stderr.on('error', () => undefined);
}
