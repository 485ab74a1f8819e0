// The local alarm of `uigate pipeline --local`: the smoke-failure metric, evaluated with CloudWatch's
// semantics (alarm-eval.ts) every time it is asked, keeping its state between evaluations as an
// alarm does (so "ignore missing data" means what it means in CloudWatch).
import { evaluateAlarm, type AlarmDefinition, type AlarmState, type Datapoint } from './alarm-eval.ts';
import type { AlarmSource, AlarmStatus } from './alarm-source.ts';

export class LocalAlarm implements AlarmSource {
  private state: AlarmState = 'INSUFFICIENT_DATA';
  private reason = 'not evaluated yet';

  constructor(
    readonly definition: AlarmDefinition,
    private readonly series: Datapoint[],
    private readonly now: () => number = Date.now,
  ) {}

  private evaluate(): AlarmStatus {
    const { state, reason, evidence } = evaluateAlarm(this.definition, this.series, this.now(), this.state);
    this.state = state;
    this.reason = reason;
    return { name: this.definition.name, state, reason, actionsEnabled: true, evidence };
  }

  async states(names: readonly string[]): Promise<AlarmStatus[]> {
    return names.map((name) => (name === this.definition.name ? this.evaluate() : { name, state: 'MISSING' }));
  }

  async inspect(names: readonly string[]): Promise<AlarmStatus[]> {
    const horizon = this.now() - 5 * this.definition.periodSeconds * 1000;
    return (await this.states(names)).map((status) =>
      status.state === 'MISSING'
        ? status
        : { ...status, recentDatapoints: this.series.filter((p) => p.at >= horizon).length },
    );
  }

  get current(): { state: AlarmState; reason: string } {
    return { state: this.state, reason: this.reason };
  }
}
