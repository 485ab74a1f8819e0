// `uigate pipeline --local`: the whole release flow on this machine (runner/pipeline/), with the
// status site up for the approval button and the timeline. Exit 0 when promoted and healthy.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { parseDuration } from '../../core/duration.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { runLocalPipeline } from '../pipeline/local-pipeline.ts';
import { openStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';
import type { SessionRequest, SiteDuringRun } from '../../run/session.ts';
import { serveStatusSite, type ServeFlags } from '../status-site.ts';

export interface PipelineFlags extends SessionRequest, ServeFlags {
  local?: boolean;
  site?: string;
  bake?: string;
  approve?: boolean;
  breakAfterPromote?: boolean;
  as?: string;
}

export async function pipelineCommand(flags: PipelineFlags, io: CommandIO): Promise<number> {
  if (!flags.local)
    throw new UsageError('only --local is available here: in AWS the pipeline is CodePipeline, deployed from infra/');
  const siteDir = resolve(io.cwd, flags.site ?? 'tests/site');
  if (!existsSync(join(siteDir, 'index.html')))
    throw new UsageError(`--site ${siteDir} has no index.html: pass the folder of the site to release`);
  const bakeMs = parseDuration(flags.bake ?? '20s', '--bake');
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { store } = await openStore(config.store);
  let site: SiteDuringRun | undefined;
  try {
    if (flags.serve !== false) {
      site = await serveStatusSite(store, config, io.stderr, flags.port);
      io.stderr.write(`uigate pipeline --local — status site ${site.url}\n`);
    }
    const outcome = await runLocalPipeline(
      {
        run: flags,
        config,
        store,
        siteDir,
        bakeMs,
        approve: Boolean(flags.approve),
        breakAfterPromote: Boolean(flags.breakAfterPromote),
        statusUrl: site?.url,
        as: flags.as,
      },
      io,
    );
    if (flags.json) io.stdout.write(JSON.stringify(outcome) + '\n');
    return outcome.healthy ? EXIT.ok : EXIT.testsFailed;
  } finally {
    await site?.close();
    await store.close();
  }
}
