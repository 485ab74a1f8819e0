// Who may touch which items of the results table. The candidate commit's code runs, before anyone
// approves it, in the executors (its tests) and in the Test stage's orchestrator (its Playwright
// config, listed there): neither may reach the records the gate decides on. Items are kept apart by
// partition (runner/store/table.ts: UNITS#, RUN#, APPROVAL#, TARGET#) and IAM's
// `dynamodb:LeadingKeys` condition holds each role to its partitions.
//
// AWS: "dynamodb:LeadingKeys — represents the first key attribute of a table (the partition key);
// the key name is plural even for single-item actions, and you must use the ForAllValues modifier"
// (DynamoDB developer guide, "Using IAM policy conditions for fine-grained access control",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
// ForAllValues is also true when a request carries no leading key at all (a Scan), so no statement
// conditioned this way ever names Scan.
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { RUN_PARTITIONS, UNITS_PARTITIONS } from '../runner/store/table.ts';

const only = (partitions: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } });

/**
 * An executor: writes unit results (a conditional PutItem, an UpdateItem) and, with `read`, reads
 * its batch, its units by key (BatchGetItem: AWS's own LeadingKeys example policy grants it beside
 * GetItem and Query, on the page cited above) and its seats (the CodeBuild worker). Nothing outside
 * UNITS# partitions.
 */
export function grantUnitResults(table: ITableV2, grantee: IGrantable, options: { read?: boolean } = {}): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        ...(options.read ? ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] : []),
      ],
      resources: [table.tableArn],
      conditions: only([UNITS_PARTITIONS]),
    }),
  );
}

/**
 * The Test stage's `uigate run`: reads anything (history, flaky lists, earlier runs), writes only
 * runs and their units and batches — never approvals (APPROVAL#) or releases (TARGET#).
 */
export function grantRunRecording(table: ITableV2, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
      resources: [table.tableArn],
      conditions: only([RUN_PARTITIONS, UNITS_PARTITIONS]),
    }),
  );
}
