// Lambda runs the commit's own suite: packed here (test-bundle.ts) and put where the function
// fetches it (lambda/test-source.ts), before the first Lambda batch goes out.
import { join, relative, sep } from 'node:path';
import type { ResolvedConfig } from '../config/config.ts';
import { publishBundle } from '../lambda/test-source.ts';
import { packTestBundle } from './test-bundle.ts';
import type { TestBundle, TestSource } from '../lambda/test-source.ts';

export interface ShippedSuite {
  source: TestSource;
  /** The Playwright config, relative to the suite's folder. */
  config: string;
  bundle: TestBundle;
}

export async function shipSuite(options: {
  cwd: string;
  entries: readonly string[];
  workDir: string;
  config: ResolvedConfig;
}): Promise<ShippedSuite> {
  const { config } = options;
  const bundle = await packTestBundle({
    projectDir: options.cwd,
    entries: options.entries,
    outDir: join(options.workDir, 'bundle'),
  });
  const { bucket, prefix, endpoint } = config.artifacts;
  const source = await publishBundle(
    bundle,
    bucket ? { bucket, prefix, endpoint, region: config.store.region } : undefined,
  );
  return { source, config: relative(options.cwd, config.playwrightConfig).split(sep).join('/'), bundle };
}

/** Says in one line where the suite went and how big it is. */
export function describeShipped({ source, bundle }: ShippedSuite): string {
  const where = 'key' in source ? `s3://${source.bucket}/${source.key}` : source.file;
  return `test bundle for Lambda: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MB (${bundle.files} files, ${bundle.packages} packages) at ${where}`;
}
