// Alarm states from CloudWatch: DescribeAlarms for state and actions, GetMetricData for whether the
// alarm's metric has had recent datapoints. Throttling is retried with backoff by the SDK's
// adaptive retry mode; what still fails is the caller's InfraError.
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmSource, AlarmStatus } from './alarm-source.ts';
import { evidenceOf } from './evidence.ts';

/** How far back pre-flight looks for datapoints, in periods of the alarm. */
const RECENT_PERIODS = 5;

export class CloudWatchAlarms implements AlarmSource {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly now: () => number = Date.now,
  ) {}

  private async describe(names: readonly string[]): Promise<Map<string, MetricAlarm>> {
    const found = new Map<string, MetricAlarm>();
    // DescribeAlarms takes up to 100 names per call.
    for (let i = 0; i < names.length; i += 100) {
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + 100),
            AlarmTypes: ['MetricAlarm'],
            NextToken: token,
          }),
        );
        for (const alarm of page.MetricAlarms ?? []) found.set(alarm.AlarmName!, alarm);
        token = page.NextToken;
      } while (token);
    }
    return found;
  }

  async states(names: readonly string[]): Promise<AlarmStatus[]> {
    const found = await this.describe(names);
    return names.map((name) => {
      const alarm = found.get(name);
      return alarm
        ? {
            name,
            state: alarm.StateValue as AlarmStatus['state'],
            reason: alarm.StateReason,
            actionsEnabled: alarm.ActionsEnabled,
            evidence: evidenceOf(alarm),
          }
        : { name, state: 'MISSING' };
    });
  }

  async inspect(names: readonly string[]): Promise<AlarmStatus[]> {
    const found = await this.describe(names);
    const statuses: AlarmStatus[] = [];
    for (const name of names) {
      const alarm = found.get(name);
      if (!alarm) {
        statuses.push({ name, state: 'MISSING' });
        continue;
      }
      statuses.push({
        name,
        state: alarm.StateValue as AlarmStatus['state'],
        reason: alarm.StateReason,
        actionsEnabled: alarm.ActionsEnabled,
        recentDatapoints: await this.recentDatapoints(alarm),
      });
    }
    return statuses;
  }

  private async recentDatapoints(alarm: MetricAlarm): Promise<number> {
    const period = alarm.Period ?? alarm.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
    const queries: MetricDataQuery[] = alarm.Metrics?.length
      ? alarm.Metrics
      : [
          {
            Id: 'm',
            ReturnData: true,
            MetricStat: {
              Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions },
              Period: period,
              Stat: alarm.Statistic ?? alarm.ExtendedStatistic ?? 'SampleCount',
            },
          },
        ];
    const end = new Date(this.now());
    const start = new Date(end.getTime() - RECENT_PERIODS * period * 1000);
    const data = await this.client.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end }),
    );
    return (data.MetricDataResults ?? [])
      .filter((result) => result.Id && queries.find((q) => q.Id === result.Id)?.ReturnData !== false)
      .reduce((n, result) => n + (result.Values?.length ?? 0), 0);
  }
}
