import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every name a package exports from its entry that carries no TSDoc comment. */
function undocumentedExports(pkg: string): string[] {
  const entry = `${ROOT}packages/${pkg}/src/index.ts`;
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true });
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
  it.each(['failover-core', 'aws-adapters', 'snapshot', 'constructs'])('@dr/%s', (pkg) => {
    expect(undocumentedExports(pkg)).toEqual([]);
  });
});
