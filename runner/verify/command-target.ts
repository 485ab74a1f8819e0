// Production deployed by the team's own command (`command:<name>`): uigate cannot undo what an
// arbitrary command did, but it can do it again with other files. Each release's folder is kept
// as one gzipped tar in the artifact store (`releases/command-<name>/<id>/release.tgz`, the bucket
// in AWS); publishing a release unpacks it and runs the command in the build's folder with
// UIGATE_RELEASE_DIR naming the unpacked files and UIGATE_RELEASE the release — so a rollback is the
// same command given the last good release's files. The live release is named beside them.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, extract, list } from 'tar';
import { releaseFiles } from './digest.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { ListingTarget } from './edge-cached-target.ts';
import { SAFE_ID } from './production-target.ts';

export interface CommandTargetOptions {
  /** The command that deploys a release's files, run by `/bin/sh -c`. */
  command: string;
  /** Where the command runs: the build's folder. */
  cwd: string;
  /** Where each release's files are kept for a rollback. */
  artifacts: ArtifactStore;
  env?: NodeJS.ProcessEnv;
  /** Where the command's output goes (the terminal's stderr: stdout stays the command's answer). */
  output?: NodeJS.WritableStream;
}

export class CommandTarget implements ListingTarget {
  readonly name: string;
  private readonly root: string;

  constructor(
    name: string,
    private readonly options: CommandTargetOptions,
  ) {
    if (!SAFE_ID.test(name))
      throw new Error(`command target name "${name.slice(0, 40)}" must be letters, digits, . _ -`);
    this.name = `command:${name}`;
    this.root = `releases/command-${name}/`;
  }

  private key(releaseId: string): string {
    if (!SAFE_ID.test(releaseId)) throw new Error(`release id "${releaseId.slice(0, 40)}" is not a safe name`);
    return `${this.root}${releaseId}/release.tgz`;
  }

  async stage(releaseId: string, fromDir: string): Promise<void> {
    const work = await mkdtemp(join(tmpdir(), 'uigate-release-'));
    try {
      const file = join(work, 'release.tgz');
      // The digested files, named one by one: nothing the approval did not cover.
      await create({ gzip: true, portable: true, cwd: fromDir, file }, await releaseFiles(fromDir));
      await this.options.artifacts.putObject(this.key(releaseId), await readFile(file), 'application/gzip');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async live(): Promise<string | undefined> {
    const [pointer] = await this.read(`${this.root}live/`);
    return pointer ? (JSON.parse(pointer.body.toString('utf8')) as { releaseId: string }).releaseId : undefined;
  }

  /** The files of a kept release, read from its archive. */
  async files(releaseId: string): Promise<string[]> {
    const kept = await this.kept(releaseId);
    const files: string[] = [];
    const reader = list({ onReadEntry: (entry) => void (entry.type === 'File' && files.push(entry.path)) });
    await new Promise<void>((resolve, reject) => {
      reader.on('end', resolve).on('error', reject);
      reader.end(kept);
    });
    return files;
  }

  private async kept(releaseId: string): Promise<Buffer> {
    const key = this.key(releaseId);
    const kept = (await this.read(`${this.root}${releaseId}/`)).find((object) => object.key === key);
    if (!kept) throw new Error(`release ${releaseId} was never kept for ${this.name}: promote it with --from first`);
    return kept.body;
  }

  async publish(releaseId: string): Promise<void> {
    const kept = await this.kept(releaseId);
    const work = await mkdtemp(join(tmpdir(), 'uigate-release-'));
    try {
      await writeFile(join(work, 'release.tgz'), kept);
      const files = join(work, 'files');
      await mkdir(files);
      await extract({ file: join(work, 'release.tgz'), cwd: files });
      await this.run(releaseId, files);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    await this.options.artifacts.putObject(
      `${this.root}live/live.json`,
      Buffer.from(JSON.stringify({ releaseId, at: new Date().toISOString() })),
      'application/json',
    );
  }

  private async read(prefix: string): Promise<{ key: string; body: Buffer }[]> {
    if (!this.options.artifacts.readAll) throw new Error(`${this.name} needs an artifact store it can read back`);
    return this.options.artifacts.readAll(prefix);
  }

  /** The team's command, with the release's files named; a non-zero exit fails the publish. */
  private run(releaseId: string, files: string): Promise<void> {
    const output = this.options.output ?? process.stderr;
    const child = spawn('/bin/sh', ['-c', this.options.command], {
      cwd: this.options.cwd,
      env: { ...(this.options.env ?? process.env), UIGATE_RELEASE: releaseId, UIGATE_RELEASE_DIR: files },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) =>
        code === 0
          ? resolve()
          : reject(
              new Error(
                `the deploy command of ${this.name} ${signal ? `was killed by ${signal}` : `exited ${code}`} publishing release ${releaseId}`,
              ),
            ),
      );
    });
  }
}
