// Which executors `--executor` may name: checked before anything is started, so a misspelt name
// costs no listing. Light to load, unlike the executors themselves (from-config.ts).
import { UsageError } from '../core/errors.ts';
import type { ExecutorName } from '../core/model.ts';

export const EXECUTOR_NAMES: ExecutorName[] = ['local', 'lambda', 'codebuild'];

/** Lists the executors asked for, in order of preference, each once; `local` when none is. */
export function executorNames(flags: { executor?: string[] }): ExecutorName[] {
  for (const name of flags.executor ?? []) {
    if (!EXECUTOR_NAMES.includes(name as ExecutorName))
      throw new UsageError(`unknown executor "${name}" (--executor); available: ${EXECUTOR_NAMES.join(', ')}`);
  }
  return (flags.executor?.length ? [...new Set(flags.executor)] : ['local']) as ExecutorName[];
}
