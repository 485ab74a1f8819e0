// A Lambda alias as the rollback target: a release is a published function version, promoting
// points the alias at it, rolling back points the alias at the previous good version.
import { GetAliasCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RollbackTarget } from './rollback-target.ts';

export class LambdaAliasTarget implements RollbackTarget {
  readonly name: string;

  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
    private readonly alias: string,
  ) {
    this.name = `lambda:${functionName}:${alias}`;
  }

  async live(): Promise<string | undefined> {
    const alias = await this.client.send(new GetAliasCommand({ FunctionName: this.functionName, Name: this.alias }));
    return alias.FunctionVersion;
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
}
