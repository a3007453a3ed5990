import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The source of each entry a package publishes (its exports map, as its tsup config builds it). */
const ENTRIES: Readonly<Record<string, readonly string[]>> = {
  'failover-core': ['src/index.ts', 'src/ports.ts', 'src/errors.ts', 'src/sim/index.ts', 'src/drill/index.ts'],
  'aws-adapters': ['src/index.ts'],
  snapshot: ['src/index.ts'],
  constructs: ['src/index.ts'],
};

/** Every name a package exports from one entry that carries no TSDoc comment. */
function undocumentedExports(pkg: string, file: string): string[] {
  const entry = `${ROOT}packages/${pkg}/${file}`;
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read ${entry}`);
  return checker
    .getExportsOfModule(module)
    .filter((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return symbol.getDocumentationComment(checker).length === 0 && symbol.getJsDocTags(checker).length === 0;
    })
    .map((s) => s.name)
    .sort();
}

describe('TSDoc on every export of the publishable packages', () => {
  it.each(Object.entries(ENTRIES).flatMap(([pkg, files]) => files.map((file) => [pkg, file])))('@dr/%s %s', (pkg, file) => {
    expect(undocumentedExports(pkg, file)).toEqual([]);
  });

  it('checks every entry a package publishes', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [pkg, files] of Object.entries(ENTRIES)) {
      const exports = JSON.parse(readFileSync(`${ROOT}packages/${pkg}/package.json`, 'utf8')).exports as Record<string, unknown>;
      expect(Object.keys(exports).filter((k) => k !== './package.json')).toHaveLength(files.length);
    }
  });
});
