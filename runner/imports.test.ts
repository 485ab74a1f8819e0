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

/**
 * The folders, lowest first, each with why it sits there. A file may import its own folder and the
 * folders listed before it, never one listed after it: the order is the design (DESIGN.md, Layout).
 */
const LAYERS: [folder: string, why: string][] = [
  ['runner/core', 'the domain, pure: the words every other folder speaks'],
  ['runner/aws', 'small helpers for any AWS client: regions, backoff, throttling, signing'],
  ['runner/store', 'where results live, and a run record from its start to its end'],
  ['runner/artifacts', 'where screenshots, traces, blobs and reports are kept, and their keys'],
  ['runner/config', "uigate.config.ts, the environment and git's view of the commit"],
  ['runner/notify', 'messages out: terminal, SNS'],
  ['runner/playwright', 'talking to Playwright: listing, batches, the reporter, browsers'],
  ['runner/plan', "what to run and in which order, from Playwright's groups"],
  ['runner/report', 'summaries, changes since a baseline, the merged HTML report'],
  ['runner/lambda', 'the Lambda handler and its event: what runs inside the function'],
  ['runner/executors', 'where batches run: local, Lambda (its events), CodeBuild'],
  ['runner/run', 'a run session: prepare, dispatch to executors, finish'],
  ['runner/gate', 'the policy and the approval'],
  ['runner/watch', "the pipeline's stages, told as they pass, and approvals left waiting"],
  ['runner/verify', 'promotion, the bake, rollback'],
  ['runner/doctor', 'checks of an AWS account, using the verify and Lambda paths'],
  ['status-site/shared', 'what the server and the page both use, pure'],
  ['status-site/page', 'the page: only the core and shared'],
  ['status-site/artifacts', "a run's artifacts, for the site to serve"],
  ['status-site/access', 'who may read and decide'],
  ['status-site/app', 'the HTTP app'],
  ['status-site/hosting', 'serving the app under Node and in Lambda'],
  ['runner/cli', 'the command line: on top of everything'],
];

describe('imports run one way', () => {
  it('names every folder in the declared order, and no import runs down it', () => {
    const rank = new Map(LAYERS.map(([folder], i) => [folder, i]));
    const folderOf = (path: string) => LAYERS.find(([folder]) => under(path, folder))?.[0];
    const unnamed = [...graph.keys()]
      .filter((file) => !folderOf(file) && !['runner/index.ts'].includes(file) && !under(file, 'cdk'))
      .map((file) => file.split('/').slice(0, 2).join('/'));
    assert.deepEqual([...new Set(unnamed)], [], 'every folder has a place in LAYERS');
    const downward = [...graph].flatMap(([file, edges]) => {
      const from = folderOf(file);
      if (!from) return [];
      return edges
        .filter((edge) => !edge.external)
        .filter((edge) => {
          const to = folderOf(edge.to);
          return to !== undefined && to !== from && rank.get(to)! > rank.get(from)!;
        })
        .map((edge) => `${file} → ${edge.to}`);
    });
    assert.deepEqual(downward, []);
  });

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

  it('has no command import another command: what two commands share lives beside them in runner/cli or below', () => {
    assert.deepEqual(
      violations('runner/cli/commands', (edge) => !under(edge.to, 'runner/cli/commands')),
      [],
    );
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
    assert.ok(graph.get('runner/run/session.ts')!.some((edge) => edge.to === 'runner/store/run-lifecycle.ts'));
    assert.ok(graph.get('runner/cli/commands/run.ts')!.some((edge) => edge.to === 'runner/run/session.ts'));
    assert.ok(
      graph.get('status-site/page/api.ts')!.some((edge) => edge.typeOnly && edge.to === 'runner/core/model.ts'),
    );
  });
});
