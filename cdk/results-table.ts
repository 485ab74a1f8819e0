// The single DynamoDB table of DESIGN.md: runs, units, events and batches; byTime lists runs
// newest first, byUnit gives a unit's history. On demand, point-in-time recovery, TTL.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { HISTORY_ATTRIBUTES, INDEX, TTL_ATTRIBUTE } from '../runner/store/table.ts';

export interface ResultsTableProps {
  /** Table name; also what UIGATE_TABLE carries into Lambda and CodeBuild. @default 'uigate' */
  readonly tableName?: string;
  /** @default RemovalPolicy.RETAIN — results are the audit trail of releases. */
  readonly removalPolicy?: RemovalPolicy;
}

export class ResultsTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: ResultsTableProps = {}) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      tableName: props.tableName ?? 'uigate',
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: INDEX.byTime,
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'runId', type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
        {
          indexName: INDEX.byUnit,
          partitionKey: { name: 'unitKey', type: AttributeType.STRING },
          sortKey: { name: 'runId', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: HISTORY_ATTRIBUTES.filter((attribute) => attribute !== 'runId'),
        },
      ],
    });
  }
}
