// A Lambda alias as the production target: a release is a published function version. Staging
// uploads the approved folder as the function's code and publishes it as a version — bound to
// that upload by its CodeSha256, so code changed by anyone in between is never published — and
// names the version the release is known by; promoting points the alias at it, rolling back
// points the alias at the previous good version.
//
// AWS facts relied on (Lambda API reference): PublishVersion's CodeSha256 "only publish a version
// if the hash value matches", taken from UpdateFunctionCode's output; PublishVersion of code and
// configuration unchanged since the last version returns that version instead of a new one; a
// function with an update in progress refuses another (ResourceConflictException) until its
// LastUpdateStatus leaves InProgress; a zip uploaded directly is at most 50 MB (AccountLimit
// CodeSizeZipped; larger packages go through S3, which this target does not do).
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { setTimeout as wait } from 'node:timers/promises';
import type { StagingTarget } from './production-target.ts';
import { zipFolder } from './zip-folder.ts';

export const DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024;

export interface LambdaAliasOptions {
  /** The largest zip uploaded. @default DIRECT_UPLOAD_LIMIT, Lambda's */
  uploadLimit?: number;
  /** How long an update may stay in progress before staging gives up. @default 5 minutes */
  settleTimeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class LambdaAliasTarget implements StagingTarget {
  readonly name: string;

  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
    private readonly alias: string,
    private readonly options: LambdaAliasOptions = {},
  ) {
    this.name = `lambda:${functionName}:${alias}`;
  }

  async live(): Promise<string | undefined> {
    const alias = await this.client.send(new GetAliasCommand({ FunctionName: this.functionName, Name: this.alias }));
    return alias.FunctionVersion;
  }

  /** Uploads the folder as the function's code and publishes it; the version is the release's id here. */
  async stage(releaseId: string, fromDir: string): Promise<string> {
    const zip = await zipFolder(fromDir);
    const limit = this.options.uploadLimit ?? DIRECT_UPLOAD_LIMIT;
    if (zip.length > limit)
      throw new Error(
        `${fromDir} zips to ${(zip.length / 1024 / 1024).toFixed(1)} MB; Lambda takes at most ${Math.round(limit / 1024 / 1024)} MB uploaded directly — make the function's folder smaller (bundle it, leave dev dependencies out)`,
      );
    // An update still in progress (a deploy of the function's configuration, say) refuses ours.
    await this.settled(false);
    const updated = await this.client.send(
      new UpdateFunctionCodeCommand({ FunctionName: this.functionName, ZipFile: zip }),
    );
    await this.settled(true);
    const published = await this.client.send(
      new PublishVersionCommand({
        FunctionName: this.functionName,
        CodeSha256: updated.CodeSha256,
        Description: `uigate release ${releaseId}`.slice(0, 256),
      }),
    );
    if (!published.Version || !/^\d+$/.test(published.Version))
      throw new Error(`Lambda published no version of ${this.functionName} for release ${releaseId}`);
    return published.Version;
  }

  async publish(version: string): Promise<void> {
    if (!/^\d+$/.test(version))
      throw new Error(`a Lambda alias points at a published version number, not "${version}"`);
    // No weighted routing left behind: the alias serves exactly this version.
    await this.client.send(
      new UpdateAliasCommand({
        FunctionName: this.functionName,
        Name: this.alias,
        FunctionVersion: version,
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
  }

  /** Waits while the function's last update is in progress; ours failing is an error that says why. */
  private async settled(ours: boolean): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => wait(ms));
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 300_000);
    for (;;) {
      const config = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName }));
      if (ours && config.LastUpdateStatus === 'Failed')
        throw new Error(
          `the last update of ${this.functionName} failed (${config.LastUpdateStatusReasonCode ?? 'no code'}: ${config.LastUpdateStatusReason ?? 'no reason given'})`,
        );
      if (config.LastUpdateStatus !== 'InProgress') return;
      if (Date.now() > deadline)
        throw new Error(`${this.functionName} has had an update in progress for too long; try again later`);
      await sleep(this.options.pollMs ?? 2_000);
    }
  }
}
