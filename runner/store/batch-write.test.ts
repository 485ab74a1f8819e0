import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import { DynamoStore } from './dynamo-store.ts';

describe("a new run's units, written in batches, and a batch's read by key", () => {
  it('gives up on items DynamoDB keeps handing back after a bounded number of tries, saying why', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    // The store writes through the document client: its commands are the ones to answer.
    const dynamo = mockClient(DynamoDBDocumentClient);
    // Throttled for good: every item comes back unprocessed, as DynamoDB answers under load.
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
      UnprocessedItems: input.RequestItems,
    }));
    const store = new DynamoStore({ client, table: 'uigate', batchTries: 3 });
    const units = [makeUnit('/t/a.spec.ts', '/t', ['one'], 'chromium', 1, 1)];
    await assert.rejects(store.queueUnits('20990101T000000000Z-aaaa', units, { fresh: true }), {
      message:
        "DynamoDB left 1 of the run's units unwritten after 3 tries of BatchWriteItem (throttled: raise the table's capacity or use on-demand)",
    });
    assert.equal(dynamo.commandCalls(BatchWriteCommand).length, 3);
    dynamo.restore();
  });

  it('gives up on keys DynamoDB keeps handing back unread, saying why', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const dynamo = mockClient(DynamoDBDocumentClient);
    dynamo.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
      Responses: {},
      UnprocessedKeys: input.RequestItems,
    }));
    const store = new DynamoStore({ client, table: 'uigate', batchTries: 3 });
    await assert.rejects(store.getUnitsByKey('20990101T000000000Z-aaaa', ['k1', 'k2']), {
      message:
        "DynamoDB left 2 units unread after 3 tries of BatchGetItem (throttled: raise the table's capacity or use on-demand)",
    });
    assert.equal(dynamo.commandCalls(BatchGetCommand).length, 3);
    dynamo.restore();
  });
});
