import Table from 'cli-table3';
import pc from 'picocolors';

/**
 * The one place that writes for people and machines, so every command prints alike: human
 * output to stdout, diagnostics to stderr, and with `--json` nothing but one JSON document.
 */
export class Output {
  constructor(
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    readonly json = false,
  ) {}

  readonly color = pc;

  /** A line for people; silent under `--json`. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  heading(text: string): void {
    this.line();
    this.line(pc.bold(text));
  }

  /** A two-column table of labels and values. */
  fields(rows: readonly (readonly [string, string])[]): void {
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) this.line(`  ${pc.dim(label.padEnd(width))}  ${value}`);
  }

  /** A table with a header row. */
  table(head: readonly string[], rows: readonly (readonly string[])[]): void {
    const table = new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [] } });
    table.push(...rows.map((r) => [...r]));
    this.line(table.toString());
  }

  /** The one JSON document of a `--json` run. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A diagnostic for people, on stderr. */
  error(text: string): void {
    this.stderr.write(`${pc.red('error')} ${text}\n`);
  }
}
