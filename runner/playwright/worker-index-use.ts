// Finds test code that tells Playwright workers apart by index (`parallelIndex`, `workerIndex`,
// TEST_PARALLEL_INDEX…) — the documented way to give each worker its own account or data. Side-by-
// side Playwright processes each number their workers from 0, so such a suite must run in one
// process: two processes would both be "worker 0" at once.
import { sourceGraph } from './source-graph.ts';

const INDEX_USE = /\b(parallelIndex|workerIndex|TEST_PARALLEL_INDEX|TEST_WORKER_INDEX)\b/;

export interface IndexUse {
  /** `file:line` of the first mention, or why the search gave up. */
  where: string;
}

/** The first place the config, the test files or anything they import by relative path reads a worker index. */
export async function findWorkerIndexUse(entries: readonly string[]): Promise<IndexUse | undefined> {
  let found: IndexUse | undefined;
  const graph = await sourceGraph(entries, (file, text) => {
    const match = found ? undefined : INDEX_USE.exec(text);
    if (match) found = { where: `${file}:${text.slice(0, match.index).split('\n').length} (${match[1]})` };
  });
  if (!found && graph.truncated) return { where: `more files than uigate reads through (${graph.files.length})` };
  return found;
}
