// The packages a suite imports, as the bundler finds them: esbuild reads the config and the test
// files and follows every import it can resolve — relative paths, tsconfig `paths` aliases (which
// Playwright honours too), package.json `imports` — leaving packages outside; its metafile then
// names each package import. Nothing is run. Where esbuild cannot read a file (a syntax it does
// not take), the text scan of source-graph.ts answers instead, and says less.
import { build } from 'esbuild';
import { packageOf, sourceGraph } from '../playwright/source-graph.ts';

export interface ImportedPackages {
  packages: Set<string>;
  /** How they were found: by the bundler, or by the text scan when it could not. */
  by: 'esbuild' | 'text scan';
}

export async function importedPackages(entries: readonly string[], projectDir: string): Promise<ImportedPackages> {
  try {
    const { metafile } = await build({
      entryPoints: [...entries],
      absWorkingDir: projectDir,
      bundle: true,
      write: false,
      metafile: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outdir: 'out',
      logLevel: 'silent',
      // Assets a test imports (JSON aside) are files, not code to follow.
      loader: { '.png': 'empty', '.jpg': 'empty', '.svg': 'empty', '.css': 'empty', '.html': 'empty', '.txt': 'empty' },
    });
    const packages = new Set<string>();
    for (const input of Object.values(metafile.inputs))
      for (const imported of input.imports)
        if (imported.external) {
          const name = packageOf(imported.path);
          if (name) packages.add(name);
        }
    return { packages, by: 'esbuild' };
  } catch {
    return { packages: (await sourceGraph(entries)).packages, by: 'text scan' };
  }
}
