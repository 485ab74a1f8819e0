// Tells a CloudFront distribution to drop what it cached of a site's entry paths after another
// release went live there, and waits until every edge has: from then on what viewers get is the
// new release, so what the bake measures is that release's own evidence.
import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EdgeCache {
  /** What `uigate` names it by in messages: `cloudfront:<distribution id>`. */
  readonly name: string;
  /** Invalidates the paths and waits until it is complete; returns the invalidation's id. */
  invalidate(paths: readonly string[], reference: string): Promise<string>;
}

/** A distribution id as CloudFront writes it (E2QWRUHAPOMQZL). */
export const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;

export interface CloudFrontInvalidationOptions {
  /** How long to wait for every edge (CloudFront's own waiter waits 20 s × 30). @default 15 minutes */
  timeoutMs?: number;
  pollMs?: number;
  now?: () => number;
}

export class CloudFrontInvalidation implements EdgeCache {
  readonly name: string;

  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
    private readonly options: CloudFrontInvalidationOptions = {},
  ) {
    if (!DISTRIBUTION_ID.test(distributionId))
      throw new Error(`"${distributionId.slice(0, 40)}" is not a CloudFront distribution id (E2QWRUHAPOMQZL, say)`);
    this.name = `cloudfront:${distributionId}`;
  }

  /**
   * CreateInvalidation is idempotent on CallerReference: a retried request with the same
   * reference and paths returns the invalidation already made, not a second one.
   */
  async invalidate(paths: readonly string[], reference: string): Promise<string> {
    const created = await this.client.send(
      new CreateInvalidationCommand({
        DistributionId: this.distributionId,
        InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: [...paths] } },
      }),
    );
    const id = created.Invalidation!.Id!;
    await this.completed(id, created.Invalidation!.Status);
    return id;
  }

  /**
   * The API documents two states, InProgress and Completed (moto answers COMPLETED, so the
   * comparison ignores case). Not complete in time: the edges may still serve the release before,
   * and the bake would measure it — so this fails, and the promotion with it.
   */
  private async completed(id: string, status: string | undefined): Promise<void> {
    const now = this.options.now ?? Date.now;
    const deadline = now() + (this.options.timeoutMs ?? 15 * 60_000);
    while (status?.toLowerCase() !== 'completed') {
      if (now() >= deadline)
        throw new Error(
          `${this.name}: invalidation ${id} is still ${status ?? 'unknown'}; edges may serve the release before, so nothing is measured`,
        );
      await sleep(this.options.pollMs ?? 10_000);
      const answer = await this.client.send(
        new GetInvalidationCommand({ DistributionId: this.distributionId, Id: id }),
      );
      status = answer.Invalidation?.Status;
    }
  }
}

/** CloudFront is global: its API is signed for us-east-1 whatever Region the rest of the stack is in. */
export function cloudFrontInvalidation(distributionId: string): CloudFrontInvalidation {
  return new CloudFrontInvalidation(new CloudFrontClient({ region: 'us-east-1' }), distributionId);
}
