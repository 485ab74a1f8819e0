// Where a run's blob reports and its merged HTML report live in the artifacts, relative to their
// root: `<runId>/blobs/<batch>-d<try>.zip` and `<runId>/report/`. Pure.

export const REPORT_DIR = 'report';
export const BLOBS_DIR = 'blobs';

/** Names one blob per batch try, making a Lambda request id or a CodeBuild build id (with its ':') file-safe. */
export function blobKey(runId: string, executorRef: string, dispatch: number): string {
  const safe = executorRef.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120) || 'batch';
  return `${runId}/${BLOBS_DIR}/${safe}-d${dispatch}.zip`;
}

/**
 * Where a local batch that ran alone wrote Playwright's HTML report itself, under the run's
 * scratch folder: named as its blob is, so the report is used only for that blob.
 */
export function batchReportDir(runWorkDir: string, blob: string): string {
  return `${runWorkDir}/html/${blob
    .split('/')
    .pop()!
    .replace(/\.zip$/, '')}`;
}
