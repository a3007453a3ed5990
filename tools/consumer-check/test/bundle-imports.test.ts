import { describe, expect, it } from 'vitest';
import { importsOf, packageOf, undeclaredImports } from './bundle-imports.js';

const manifest = {
  dependencies: { commander: '14.0.3', '@aws-sdk/client-rds': '3.1142.0' },
  devDependencies: { '@dr/failover-core': '0.1.0' },
};

describe('undeclaredImports', () => {
  it('accepts builtins, relative chunks and declared dependencies, subpaths included', async () => {
    const imports = await importsOf([
      {
        name: 'bin.js',
        source:
          'import { readFile } from "fs/promises";\nimport os from "node:os";\nimport { Command } from "commander";\nimport { RDSClient } from "@aws-sdk/client-rds";\nimport { x } from "./chunk-A.js";\nconst c = await import("./aws-context-B.js");\nconst here = import.meta.url;',
      },
    ]);

    expect(imports.map((i) => i.specifier)).toEqual([
      'fs/promises',
      'node:os',
      'commander',
      '@aws-sdk/client-rds',
      './chunk-A.js',
      './aws-context-B.js',
    ]);
    expect(undeclaredImports(imports, manifest)).toEqual([]);
  });

  it('names an import of a package dependencies do not declare, and one of a devDependency', async () => {
    const imports = await importsOf([
      {
        name: 'chunk.js',
        source:
          'import { object } from "valibot";\nimport { parseConfig } from "@dr/failover-core/drill";\nconst t = __require("cli-table3");',
      },
    ]);

    expect(undeclaredImports(imports, manifest)).toEqual([
      'chunk.js: imports valibot, which dependencies do not declare',
      'chunk.js: imports @dr/failover-core/drill, a devDependency (not installed for a consumer): bundle it or declare it in dependencies',
      'chunk.js: imports cli-table3, which dependencies do not declare',
    ]);
  });

  it('does not take a require quoted inside a string (an error message) for a call', async () => {
    const imports = await importsOf([
      {
        name: 'sts.js',
        source: 'throw new Error(`register it by calling [require("@aws-sdk/signature-v4-crt");]`);\nconst os = __require("node:os");',
      },
    ]);

    expect(imports.map((i) => i.specifier)).toEqual(['node:os']);
  });

  it('names a dynamic import it cannot follow', async () => {
    const imports = await importsOf([{ name: 'bin.js', source: 'const name = "x";\nawait import(name);' }]);

    expect(undeclaredImports(imports, manifest)).toEqual(['bin.js: a dynamic import of a computed name, which this check cannot follow']);
  });
});

describe('packageOf', () => {
  it('drops the subpath of a scoped and of a plain specifier', () => {
    expect([packageOf('@dr/failover-core/drill'), packageOf('valibot/dist/x.js'), packageOf('commander')]).toEqual([
      '@dr/failover-core',
      'valibot',
      'commander',
    ]);
  });
});
