// Where the status site reads a run's artifacts from: a folder on this machine, S3, or both
// (a mixed run keeps its local units' artifacts in the folder and the Lambda/CodeBuild units' in S3).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { RUN_ID_PATTERN } from '../../runner/core/model.ts';

export interface Artifact {
  body: ReadableStream<Uint8Array>;
  size: number;
  contentType: string;
  /**
   * A short-lived URL the browser may fetch the artifact from directly, served with this type and
   * Content-Disposition: for artifacts too large to pass through the server (status-site/hosting/lambda.ts).
   */
  directUrl?: (contentDisposition: string) => Promise<string>;
}

export interface ArtifactReader {
  /** The artifact at `<runId>/<path>`, or undefined when absent or outside the run's folder. */
  get(runId: string, path: string): Promise<Artifact | undefined>;
}

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webm': 'video/webm',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (path: string) => TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/**
 * Resolves `path` inside `<root>/<runId>/`, refusing anything that would leave it: `..`,
 * absolute paths, encoded separators, NUL bytes, malformed run ids.
 */
export function artifactPath(root: string, runId: string, path: string): string | undefined {
  if (!RUN_ID_PATTERN.test(runId)) return undefined;
  if (!path || path.includes('\0') || path.includes('\\')) return undefined;
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return undefined;
  const base = resolve(root, runId);
  const file = resolve(base, path);
  return file.startsWith(base + sep) ? file : undefined;
}

/** Gives the artifact's path relative to the store's root (`<runId>/<path>`), or undefined when it would leave the run's folder. */
export function artifactKeyOf(runId: string, path: string): string | undefined {
  return artifactPath('/', runId, path)?.slice(1);
}

export class LocalArtifactReader implements ArtifactReader {
  constructor(private readonly root: string) {}

  async get(runId: string, path: string): Promise<Artifact | undefined> {
    const file = artifactPath(this.root, runId, path);
    if (!file) return undefined;
    try {
      // A symbolic link inside the folder must not lead out of it either — nor from one of the
      // run's folders into another: a link in the report (test output, written by test code) must
      // not serve the run's other files under the report's route.
      const real = await realpath(file);
      const top = path.includes('/') ? path.slice(0, path.indexOf('/')) : '';
      const base = await realpath(resolve(this.root, runId, top));
      if (!real.startsWith(base + sep)) return undefined;
      const info = await stat(real);
      if (!info.isFile()) return undefined;
      return {
        body: Readable.toWeb(createReadStream(real)) as ReadableStream<Uint8Array>,
        size: info.size,
        contentType: contentTypeOf(real),
      };
    } catch {
      return undefined;
    }
  }
}

/** Asks each source in turn; the first that has the artifact answers. */
export class ArtifactReaders implements ArtifactReader {
  private readonly sources: readonly ArtifactReader[];

  constructor(...sources: readonly ArtifactReader[]) {
    this.sources = sources;
  }

  async get(runId: string, path: string): Promise<Artifact | undefined> {
    for (const source of this.sources) {
      const artifact = await source.get(runId, path);
      if (artifact) return artifact;
    }
    return undefined;
  }
}
