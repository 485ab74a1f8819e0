// The artifact seam: where screenshots and traces go once a unit ends, so they outlive
// Playwright's output folder (which the next run wipes).
export interface ArtifactInput {
  runId: string;
  unitKey: string;
  attempt: number;
  name: string;
  contentType: string;
  /** A file Playwright wrote, or the attachment's body. */
  content: { path: string } | { body: Buffer };
}

export interface ArtifactStore {
  /** Stores one artifact; returns its path relative to the store's root (`<runId>/<unitKey>/...`). */
  put(input: ArtifactInput): Promise<string>;
  /** Writes (or replaces) the object at `key`, relative to the store's root. */
  putObject(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object at `key` (relative to the root), as a stored attachment's `path` names it. */
  read?(key: string): Promise<Buffer>;
  /** The objects under `prefix` (relative to the root), with their bodies: a run's blob reports. */
  readAll?(prefix: string): Promise<{ key: string; body: Buffer }[]>;
  /** Lets go of connections, if it holds any. */
  close?(): void;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'application/zip': '.zip',
  'video/webm': '.webm',
  'text/plain': '.txt',
  'application/json': '.json',
  'text/html': '.html',
};

/** Names an artifact `<runId>/<unitKey>/<attempt>-<safe name><ext>`: stable, unique per attempt, safe on any file system and in S3. */
export function artifactKey(input: Omit<ArtifactInput, 'source'>, sourcePath?: string): string {
  const safe =
    input.name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'attachment';
  const fromPath = sourcePath?.match(/\.[A-Za-z0-9]{1,8}$/)?.[0];
  const ext = safe.includes('.') ? '' : (fromPath ?? EXTENSIONS[input.contentType.split(';')[0]!.trim()] ?? '');
  return `${input.runId}/${input.unitKey}/${input.attempt}-${safe}${ext}`;
}
