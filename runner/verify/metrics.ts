// Where the smoke tests' outcome and latency go: CloudWatch (namespace `uigate`, which the stack's
// smoke alarm watches) or, locally, an in-memory series the local alarm reads.
import { type CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { Datapoint } from './alarm-eval.ts';

export const NAMESPACE = 'uigate';

export interface SmokeSample {
  /** Smoke units that failed (0 when healthy). */
  failures: number;
  /** Units run. */
  total: number;
  /** Wall time of the smoke run. */
  latencyMs: number;
  at: number;
  /** The smoke run's id: every probe is a run on the status site. */
  runId?: string;
}

export interface MetricSink {
  put(sample: SmokeSample): Promise<void>;
}

export class CloudWatchMetrics implements MetricSink {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly site: string,
  ) {}

  async put(sample: SmokeSample): Promise<void> {
    const dimensions = [{ Name: 'Site', Value: this.site }];
    const timestamp = new Date(sample.at);
    await this.client.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: [
          {
            MetricName: 'SmokeFailures',
            Dimensions: dimensions,
            Timestamp: timestamp,
            Value: sample.failures,
            Unit: StandardUnit.Count,
          },
          {
            MetricName: 'SmokeTests',
            Dimensions: dimensions,
            Timestamp: timestamp,
            Value: sample.total,
            Unit: StandardUnit.Count,
          },
          {
            MetricName: 'SmokeLatency',
            Dimensions: dimensions,
            Timestamp: timestamp,
            Value: sample.latencyMs,
            Unit: StandardUnit.Milliseconds,
          },
        ],
      }),
    );
  }
}

/** The local stand-in for CloudWatch metrics: the series the local alarm evaluates. */
export class LocalMetrics implements MetricSink {
  readonly failures: Datapoint[] = [];
  readonly latency: Datapoint[] = [];

  async put(sample: SmokeSample): Promise<void> {
    this.failures.push({ at: sample.at, value: sample.failures });
    this.latency.push({ at: sample.at, value: sample.latencyMs });
  }
}
