// `uigate affected`: the files changed between two commits, the components they touched, and
// whether that means the whole suite — with the reason for any widening. What `run --changed`
// would run, said before anything runs; `--json` for a pipeline to read.
import { loadConfig } from '../../config/config.ts';
import { changedFiles, defaultBranch } from '../../config/git-changes.ts';
import type { ComponentTests } from '../../config/components.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { affectedBy } from '../../plan/affected.ts';
import type { CommandIO } from '../io.ts';

export interface AffectedFlags {
  base?: string;
  head?: string;
  json?: boolean;
  config?: string;
}

export async function affectedCommand(flags: AffectedFlags, io: CommandIO): Promise<number> {
  const config = await loadConfig(io.cwd, flags.config, io.env);
  if (Object.keys(config.components).length === 0)
    throw new UsageError(
      'uigate.config.ts names no components: add components: { web: { paths: ["apps/web/**"], tests: { grep: "@web" } } }',
    );
  const base = flags.base ?? (await defaultBranch(io.cwd));
  if (!base) throw new UsageError('no default branch to compare with (origin/HEAD, main or master): pass --base <ref>');
  const changed = await changedFiles(io.cwd, base, flags.head ?? 'HEAD');
  const answer = changed.ok
    ? {
        base: changed.base,
        head: changed.head,
        files: changed.files,
        ...affectedBy(changed.files, config.components, config.changes),
      }
    : {
        base: changed.base,
        head: changed.head,
        files: [],
        components: Object.keys(config.components),
        wholeSuite: true,
        reason: `${changed.reason}: whole suite`,
      };
  if (flags.json) {
    const { base: from, head, files, components, wholeSuite, reason } = answer;
    io.stdout.write(`${JSON.stringify({ base: from, head, files, components, wholeSuite, reason })}\n`);
    return EXIT.ok;
  }
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(`${answer.base.slice(0, 12)} → ${answer.head.slice(0, 12)}: ${answer.files.length} file(s) changed`);
  say(`  components: ${answer.components.join(', ') || 'none'}`);
  say(`  ${answer.wholeSuite ? 'whole suite' : 'narrowed'}: ${answer.reason}`);
  if (!answer.wholeSuite) {
    const always = config.changes.always ? [['always', config.changes.always] as const] : [];
    const covering = [...answer.components.map((name) => [name, config.components[name]!.tests] as const), ...always];
    for (const [name, tests] of covering) say(`  tests of ${name}: ${describeTests(tests)}`);
  }
  return EXIT.ok;
}

/** A component's tests as the flags that select them. */
function describeTests(tests: ComponentTests): string {
  return [
    ...(tests.grep !== undefined ? [`--grep ${tests.grep}`] : []),
    ...(tests.modules ?? []).map((module) => `--module ${module}`),
  ].join(' ');
}
