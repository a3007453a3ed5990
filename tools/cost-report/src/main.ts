/**
 * `node tools/cost-report/dist/main.js --assembly <cdk.out> [--json | --markdown] [--regions a,b]
 * [--dr-region r] [--primary-region r] [--free-tiers]`: what the synthesized templates cost a month.
 * Human output to stdout, errors to stderr (exit 1 for bad input or a missing price, 2 for usage).
 */
import { parseArgs } from 'node:util';
import { readAssembly } from './assembly.js';
import { isCostReportError } from './errors.js';
import { formatMarkdown, formatText } from './format.js';
import { buildReport } from './report.js';

const USAGE =
  'usage: node tools/cost-report/dist/main.js --assembly <cdk.out dir> [--json | --markdown] [--regions a,b] [--dr-region r] [--primary-region r] [--free-tiers] [--debug]';

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        assembly: { type: 'string' },
        json: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        regions: { type: 'string' },
        'dr-region': { type: 'string' },
        'primary-region': { type: 'string' },
        'free-tiers': { type: 'boolean', default: false },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.assembly || (values.json && values.markdown)) {
    process.stderr.write(`${values.assembly ? '--json and --markdown exclude each other' : '--assembly is required'}\n${USAGE}\n`);
    return 2;
  }
  try {
    const regions = values.regions
      ?.split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const report = buildReport(readAssembly(values.assembly), {
      regions,
      drRegion: values['dr-region'],
      primaryRegion: values['primary-region'],
    });
    const command = `node tools/cost-report/dist/main.js ${argv.filter((a) => a !== '--debug').join(' ')}`;
    process.stdout.write(
      `${values.json ? JSON.stringify(report, null, 2) : values.markdown ? formatMarkdown(report, command) : formatText(report, { freeTiers: values['free-tiers'] })}\n`,
    );
    return 0;
  } catch (error) {
    if (!isCostReportError(error) || values.debug) process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    else process.stderr.write(`cost-report: ${error.message}\n`);
    return 1;
  }
}

// Run when executed, not when imported (tests import `main`).
if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
