// DynamoDB's conditional writes, where "the condition did not hold" is an answer, not an error:
// the item was already there, or a newer result was. Everything else is a real failure.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** Tells whether the conditional write went in: false when its condition did not hold; any other failure escapes. */
export async function writtenIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
