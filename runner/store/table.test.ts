// ensureTable against dynalite made slow to create tables, as DynamoDB Local or a busy machine is:
// the store is used only once its table is ACTIVE, whoever created it.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { dynamoClient } from './open-store.ts';
import { ensureTable, INDEX } from './table.ts';

describe('ensureTable', () => {
  const server = dynalite({ createTableMs: 300 });
  let client: DynamoDBClient;

  before(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    client = dynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'us-east-1');
  });
  after(async () => {
    client.destroy();
    await new Promise((ok) => server.close(ok));
  });

  const status = async (table: string) => (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;

  it('creates a missing table with both indexes and returns once it is ACTIVE', async () => {
    await ensureTable(client, 'fresh');
    const table = await status('fresh');
    assert.equal(table.TableStatus, 'ACTIVE');
    assert.deepEqual(table.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(), [
      INDEX.byTime,
      INDEX.byUnit,
    ]);
  });

  it('waits for a table another process is still creating, instead of using it CREATING', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'racing',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    assert.equal((await status('racing')).TableStatus, 'CREATING');
    await ensureTable(client, 'racing');
    assert.equal((await status('racing')).TableStatus, 'ACTIVE');
  });
});
