// The import graph, read from the sources: imports run one way, and a violation fails with the
// file that breaks the rule. Tests, test helpers and benchmarks are free to reach anywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './testing/fixture-project.ts';

interface Edge {
  to: string;
  /** `import type` / `export type`: gone at run time. */
  typeOnly: boolean;
  /** A package or a node: module, not a file of this repository. */
  external: boolean;
}

const IMPORT =
  /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

async function sources(): Promise<string[]> {
  const found: string[] = [];
  for (const root of ['runner', 'status-site', 'cdk']) {
    for (const entry of await readdir(join(REPO, root), { recursive: true, withFileTypes: true })) {
      const path = relative(REPO, join(entry.parentPath, entry.name)).split(sep).join('/');
      if (!entry.isFile() || !path.endsWith('.ts') || path.endsWith('.d.ts')) continue;
      if (path.endsWith('.test.ts') || path.includes('/testing/') || path.includes('/dist/')) continue;
      found.push(path);
    }
  }
  return found.sort();
}

function edgesOf(file: string): Edge[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => {
    const spec = (match[3] ?? match[4])!;
    const typeOnly = Boolean(match[2]);
    if (!spec.startsWith('.')) return { to: spec, typeOnly, external: true };
    return {
      to: relative(REPO, resolve(dirname(join(REPO, file)), spec))
        .split(sep)
        .join('/'),
      typeOnly,
      external: false,
    };
  });
}

const graph = new Map((await sources()).map((file) => [file, edgesOf(file)]));
const under = (path: string, folder: string) => path.startsWith(`${folder}/`);

/** Every import of a file under `from` that `allowed` refuses, as "file → import". */
function violations(from: string, allowed: (edge: Edge) => boolean): string[] {
  return [...graph]
    .filter(([file]) => under(file, from))
    .flatMap(([file, edges]) => edges.filter((edge) => !allowed(edge)).map((edge) => `${file} → ${edge.to}`));
}

describe('imports run one way', () => {
  it('keeps the core pure: it imports only itself, no Node module and no package, so the page can use it', () => {
    assert.deepEqual(
      violations('runner/core', (edge) => !edge.external && under(edge.to, 'runner/core')),
      [],
    );
  });

  it('lets the status page import only the core and what the site shares with it', () => {
    const allowed = (edge: Edge) =>
      !edge.external &&
      ['status-site/page', 'status-site/shared', 'runner/core'].some((folder) => under(edge.to, folder));
    assert.deepEqual(violations('status-site/page', allowed), []);
    assert.deepEqual(
      violations(
        'status-site/shared',
        (edge) => !edge.external && ['status-site/shared', 'runner/core'].some((folder) => under(edge.to, folder)),
      ),
      [],
    );
  });

  it('never has the status site import the command line', () => {
    assert.deepEqual(
      violations('status-site', (edge) => !under(edge.to, 'runner/cli')),
      [],
    );
  });

  it('has only the command line import the command line, and start servers', () => {
    const servers = [
      'status-site/hosting/server.ts',
      'runner/lambda/local-endpoint.ts',
      'runner/cli/pipeline/static-server.ts',
    ];
    const outside = [...graph].filter(([file]) => !under(file, 'runner/cli') && file !== 'runner/index.ts');
    const found = outside.flatMap(([file, edges]) =>
      edges
        .filter((edge) => under(edge.to, 'runner/cli') || servers.includes(edge.to))
        .map((edge) => `${file} → ${edge.to}`),
    );
    assert.deepEqual(found, []);
  });

  it('keeps the constructs on top: nothing that runs tests or serves the site imports them or aws-cdk-lib', () => {
    const cdk = (edge: Edge) =>
      under(edge.to, 'cdk') ||
      edge.to === 'aws-cdk-lib' ||
      edge.to.startsWith('aws-cdk-lib/') ||
      edge.to === 'constructs';
    assert.deepEqual(
      violations('runner', (edge) => !cdk(edge)),
      [],
    );
    assert.deepEqual(
      violations('status-site', (edge) => !cdk(edge)),
      [],
    );
    assert.ok(graph.get('cdk/uigate.ts')!.some((edge) => edge.to === 'cdk/approval-gate.ts'));
  });

  it('has no cycles among the modules that run', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const edge of graph.get(file) ?? [])
        if (!edge.external && !edge.typeOnly && graph.has(edge.to)) visit(edge.to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('reads the graph it checks (a broken reader would pass every rule)', () => {
    assert.ok(graph.size > 100, `${graph.size} files`);
    assert.ok(graph.get('runner/cli/commands/run.ts')!.some((edge) => edge.to === 'runner/run/lifecycle.ts'));
    assert.ok(
      graph.get('status-site/page/api.ts')!.some((edge) => edge.typeOnly && edge.to === 'runner/core/model.ts'),
    );
  });
});
