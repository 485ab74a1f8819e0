import assert from 'node:assert/strict';
import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, it } from 'node:test';
import { checkRequests } from '../testing/botocore-model.ts';
import { CloudFrontInvalidation, type EdgeCache } from './cloudfront-invalidation.ts';
import { EdgeCachedTarget, type ListingTarget } from './edge-cached-target.ts';

/** Releases as lists of files; the one before may have been discarded. */
function target(releases: Record<string, string[]>, live: string): ListingTarget & { live(): Promise<string> } {
  return {
    name: 's3://shop',
    live: async () => live,
    stage: async () => {},
    publish: async (id) => void (live = id),
    files: async (id) => {
      if (!releases[id]) throw new Error(`release ${id} is not staged`);
      return releases[id];
    },
  };
}

describe('publishing behind a CDN', () => {
  const cloudfront = mockClient(CloudFrontClient);
  afterEach(checkRequests(cloudfront, 'cloudfront'));

  it('drops every cached URL when the release before cannot be read, rather than guessing which', async () => {
    const asked: string[][] = [];
    const edge: EdgeCache = { name: 'cloudfront:E1', invalidate: async (paths) => (asked.push([...paths]), 'I1') };
    const lines: string[] = [];
    const site = new EdgeCachedTarget(target({ r2: ['index.html'] }, 'r1'), edge, (line) => lines.push(line));
    await site.publish('r2');
    assert.deepEqual(asked, [['/*']]);
    assert.deepEqual(lines, ['cloudfront:E1: invalidation I1 of /* completed']);
  });

  it('fails the publish when the edges have not dropped the old release in time: nothing is measured on it', async () => {
    cloudfront.reset();
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({
        Invalidation: { Id: 'I2', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined },
      })
      .on(GetInvalidationCommand)
      .resolves({
        Invalidation: { Id: 'I2', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined },
      });
    let clock = 0;
    const edge = new CloudFrontInvalidation(new CloudFrontClient({ region: 'us-east-1' }), 'E2QWRUHAPOMQZL', {
      timeoutMs: 60_000,
      pollMs: 1,
      now: () => (clock += 20_000),
    });
    const site = new EdgeCachedTarget(target({ r1: ['index.html'], r2: ['index.html'] }, 'r1'), edge);
    await assert.rejects(
      site.publish('r2'),
      /cloudfront:E2QWRUHAPOMQZL: invalidation I2 is still InProgress; edges may serve the release before/,
    );
    const created = cloudfront.commandCalls(CreateInvalidationCommand)[0]!.args[0].input;
    assert.deepEqual(created.InvalidationBatch?.Paths, { Quantity: 2, Items: ['/', '/index.html'] });
    assert.ok(cloudfront.commandCalls(GetInvalidationCommand).length >= 1);
  });
});
