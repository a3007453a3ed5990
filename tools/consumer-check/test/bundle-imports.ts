import { builtinModules } from 'node:module';
import { tokenizer, tokTypes, type Token } from 'acorn';
import { init, parse } from 'es-module-lexer';

/** One module a bundle file loads: a static `import`, a dynamic `import()`, or a `require()`. */
export interface BundleImport {
  /** The bundle file it is in (`dist/bin.js`). */
  readonly file: string;
  /** What it names (`commander`, `@aws-sdk/client-rds`, `./chunk-X.js`), or `undefined` for a dynamic import of a computed name. */
  readonly specifier: string | undefined;
}

/** What a package's manifest declares about the modules it may load. */
export interface DeclaredDependencies {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/**
 * The `require("x")` calls left in an ESM bundle: esbuild turns a bundled CommonJS module's
 * `require` into `__require`, which throws at run time in ESM, so each names a package that
 * must be declared (and would still fail to load). Read from the tokens, not the text: a
 * bundled error message may quote `require("x")` inside a string (the SDK's does for its
 * optional CRT signer).
 */
function requireCalls(source: string): string[] {
  // acorn's tokens carry their value (a name's text, a string's contents), which its types leave out.
  const tokens = [...tokenizer(source, { ecmaVersion: 'latest', sourceType: 'module' })] as (Token & { readonly value?: unknown })[];
  return tokens.flatMap((t, i) => {
    const [open, argument, close] = [tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    const isRequire = t.type === tokTypes.name && (t.value === 'require' || t.value === '__require');
    return isRequire && open?.type === tokTypes.parenL && argument?.type === tokTypes.string && close?.type === tokTypes.parenR
      ? [String(argument.value)]
      : [];
  });
}

/** Every module the given bundle files load, in file order. */
export async function importsOf(files: readonly { readonly name: string; readonly source: string }[]): Promise<BundleImport[]> {
  await init;
  return files.flatMap(({ name, source }) => {
    const [esm] = parse(source, name);
    const requires = requireCalls(source);
    // `import.meta` comes back as an import too (`d` of -2): it loads nothing.
    const loads = esm.filter((i) => i.d !== -2).map((i) => i.n);
    return [...loads, ...requires].map((specifier) => ({ file: name, specifier }));
  });
}

/** The package a bare specifier names: `@scope/name` or `name`, without any subpath. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const BUILTINS = new Set(builtinModules);

/**
 * Each import of a bundle that would fail for someone who installs the package from the
 * registry, as a sentence: a package its `dependencies` do not declare (npm does not install
 * it), one only its `devDependencies` declare (npm never installs those for a consumer; for
 * `@dr/cli` they are the workspace libraries, which are not on the registry), and a dynamic
 * import whose name cannot be read. Relative imports (the bundle's own chunks) and Node's
 * builtins are fine.
 */
export function undeclaredImports(imports: readonly BundleImport[], manifest: DeclaredDependencies): string[] {
  const problems = imports.flatMap(({ file, specifier }) => {
    if (specifier === undefined) return [`${file}: a dynamic import of a computed name, which this check cannot follow`];
    if (specifier.startsWith('.') || specifier.startsWith('node:') || BUILTINS.has(specifier)) return [];
    const pkg = packageOf(specifier);
    if (manifest.devDependencies?.[pkg] !== undefined)
      return [`${file}: imports ${specifier}, a devDependency (not installed for a consumer): bundle it or declare it in dependencies`];
    if (manifest.dependencies?.[pkg] === undefined) return [`${file}: imports ${specifier}, which dependencies do not declare`];
    return [];
  });
  return [...new Set(problems)];
}
