// `uigate pipeline --local`: the whole release flow on this machine (runner/pipeline/), with the
// status site up for the approval button and the timeline. Exit 0 when promoted and healthy.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localApprovals } from '../../../status-site/access/approvers.ts';
import { artifactsOf, startStatusServer, type StatusServer } from '../../../status-site/hosting/server.ts';
import { loadConfig } from '../../config/config.ts';
import { parseDuration } from '../../core/duration.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { runLocalPipeline } from '../pipeline/local-pipeline.ts';
import { openStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';
import type { RunFlags } from './run.ts';
import { DEFAULT_PORT } from '../ports.ts';

export interface PipelineFlags extends RunFlags {
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
  let site: StatusServer | undefined;
  try {
    if (flags.serve !== false) {
      let url: string | undefined;
      const options = {
        store,
        ...artifactsOf(config.artifacts),
        approvals: localApprovals(config, io.stderr, () => url),
      };
      site = await startStatusServer({ ...options, port: flags.port ?? DEFAULT_PORT }).catch(() =>
        startStatusServer({ ...options, port: 0 }),
      );
      url = site.url;
      io.stderr.write(`uigate pipeline --local — status site ${site.url}\n`);
    }
    const outcome = await runLocalPipeline(
      {
        run: { ...flags, port: undefined },
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
