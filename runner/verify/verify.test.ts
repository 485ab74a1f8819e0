import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { CloudWatchAlarms } from './cloudwatch-alarms.ts';
import { LocalSiteTarget } from './local-site-target.ts';
import { CloudWatchMetrics } from './metrics.ts';
import { promote, runPreflight, verifyRelease, type ApprovedRelease } from './verify.ts';
import { checkRequests } from '../testing/botocore-model.ts';

const alarm = (name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', extra = {}) => ({
  AlarmName: name,
  StateValue: state,
  StateReason: `${state} reason`,
  ActionsEnabled: true,
  Namespace: 'uigate',
  MetricName: 'SmokeFailures',
  Period: 60,
  Statistic: 'Sum' as const,
  ...extra,
});

describe('uigate verify: pre-flight, bake and rollback against CloudWatch', () => {
  let seed: SeededStore;
  let dir: string;
  let target: LocalSiteTarget;
  const cloudwatch = mockClient(CloudWatchClient);
  afterEach(checkRequests(cloudwatch, 'cloudwatch'));
  const alarms = new CloudWatchAlarms(new CloudWatchClient({ region: 'eu-west-1' }));
  let clock = 0;
  const fast = {
    now: () => clock,
    sleep: async (ms: number) => void (clock += ms),
    pollMs: 30_000,
    durationMs: 120_000,
  };

  const release = async (html: string): Promise<ApprovedRelease> => {
    const runId = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }]);
    const files = join(dir, 'build', runId);
    await mkdir(files, { recursive: true });
    await writeFile(join(files, 'index.html'), html);
    await promote({
      store: seed.store,
      target,
      release: { releaseId: runId, run: (await seed.store.getRun(runId))! },
      fromDir: files,
      actor: 'test',
    });
    return { releaseId: runId, run: (await seed.store.getRun(runId))! };
  };
  const types = async (runId: string) => (await seed.store.listEvents(runId)).map((e) => e.type);
  /** The bake of a release against the smoke alarm, on the test's clock. */
  const bakeSmoke = (rel: ApprovedRelease, extra: Partial<Parameters<typeof verifyRelease>[0]> = {}) =>
    verifyRelease({
      store: seed.store,
      target,
      release: rel,
      alarms,
      names: ['smoke'],
      actor: 'test',
      ...fast,
      ...extra,
    });

  before(async () => {
    seed = await seededStore();
    dir = await mkdtemp(join(tmpdir(), 'uigate-verify-'));
    target = new LocalSiteTarget(join(dir, 'production'));
  });
  after(async () => {
    await seed.remove();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    cloudwatch.reset();
    clock = 1_000_000;
  });

  it('keeps a healthy release: watches for the whole window and marks it verified', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK'), alarm('5xx', 'OK')] });
    const good = await release('<h1>v1</h1>');
    const result = await verifyRelease({
      store: seed.store,
      target,
      release: good,
      alarms,
      names: ['smoke', '5xx'],
      actor: 'test',
      ...fast,
    });
    assert.deepEqual(result, { healthy: true, checks: 5 });
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 5, 'checked every poll, not once');
    assert.deepEqual(await types(good.run.runId), ['promoted', 'bake-started', 'verified']);
    assert.equal((await seed.store.listReleases(target.name))[0]!.status, 'verified');
  });

  it('rolls back to the last verified release when an alarm fires mid-bake, never onto a failed one', async () => {
    const good = await release('<h1>good</h1>');
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    await bakeSmoke(good);
    const failedEarlier = await release('<h1>failed earlier</h1>');
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'ALARM')] });
    await bakeSmoke(failedEarlier);

    const bad = await release('<h1>bad</h1>');
    // Every probe fails, each a run of its own: the alarm and the release link to them. The alarm
    // goes off mid-bake, once two probes have failed.
    let probes = 0;
    const smoke = async () => {
      await new Promise((done) => setTimeout(done, 5));
      return { failures: 1, total: 1, latencyMs: 5, at: clock, runId: `smoke-${++probes}` };
    };
    cloudwatch
      .on(DescribeAlarmsCommand)
      .callsFake(() => ({ MetricAlarms: [alarm('smoke', probes >= 2 ? 'ALARM' : 'OK')] }));
    // Real time between checks, so the probes come back while the bake watches.
    const sleep = async (ms: number) => {
      clock += ms;
      await new Promise((done) => setTimeout(done, 20));
    };
    const result = await bakeSmoke(bad, { smoke, sleep });
    assert.equal(result.healthy, false);
    assert.equal(!result.healthy && result.restored, good.releaseId);
    const record = (await seed.store.listReleases(target.name)).find((r) => r.releaseId === bad.releaseId)!;
    assert.equal(record.rolledBackTo, good.releaseId, 'the Releases page reads where it went');
    assert.equal(record.alarm, 'smoke');
    assert.ok(
      record.smokeRuns?.length && record.smokeRuns.every((id) => /^smoke-\d+$/.test(id)),
      String(record.smokeRuns),
    );
    const alarmEvent = (await seed.store.listEvents(bad.run.runId)).find((e) => e.type === 'alarm')!;
    assert.deepEqual(alarmEvent.detail?.smokeRuns, record.smokeRuns);
    assert.equal(await readlink(target.liveDir), join('releases', good.releaseId));
    assert.equal(await readFile(join(target.liveDir, 'index.html'), 'utf8'), '<h1>good</h1>');
    assert.deepEqual(await types(bad.run.runId), [
      'promoted',
      'bake-started',
      'alarm',
      'rollback-started',
      'rollback-restored',
    ]);
    const statuses = Object.fromEntries(
      (await seed.store.listReleases(target.name)).map((r) => [r.releaseId, r.status]),
    );
    assert.equal(statuses[bad.releaseId], 'failed');
    assert.equal(statuses[failedEarlier.releaseId], 'failed');
  });

  it('treats INSUFFICIENT_DATA during the bake as a breach by default, and as fine when told', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'INSUFFICIENT_DATA')] });
    const quiet = await release('<h1>quiet</h1>');
    const strict = await bakeSmoke(quiet);
    assert.equal(strict.healthy, false);
    const lenient = await release('<h1>quiet 2</h1>');
    const ok = await bakeSmoke(lenient, { insufficientData: 'ok' });
    assert.equal(ok.healthy, true);
  });

  it('waits out a throttled DescribeAlarms instead of failing the bake', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    cloudwatch
      .on(DescribeAlarmsCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    const rel = await release('<h1>throttled</h1>');
    const result = await bakeSmoke(rel, { durationMs: 0 });
    assert.equal(result.healthy, true);
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 3);
  });

  it('rolls back, fail closed, when CloudWatch fails mid-bake, and says so on the timeline', async () => {
    const good = await release('<h1>good before blind</h1>');
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    await bakeSmoke(good);
    const blind = await release('<h1>blind</h1>');
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('smoke', 'OK')] })
      .rejects(
        Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), {
          name: 'AccessDenied',
        }),
      );
    const result = await bakeSmoke(blind);
    assert.ok(!result.healthy && result.blind && result.restored === good.releaseId);
    assert.match(!result.healthy ? result.reason : '', /could not watch its alarms \(User is not authorized/);
    assert.deepEqual(await types(blind.run.runId), [
      'promoted',
      'bake-started',
      'bake-error',
      'rollback-started',
      'rollback-restored',
    ]);
    assert.equal(await readFile(join(target.liveDir, 'index.html'), 'utf8'), '<h1>good before blind</h1>');
  });

  it('ends a bake cancelled by Ctrl-C on the timeline, the release never a rollback target after', async () => {
    const stop = new AbortController();
    cloudwatch.on(DescribeAlarmsCommand).callsFake(() => {
      stop.abort();
      return { MetricAlarms: [alarm('smoke', 'OK')] };
    });
    const rel = await release('<h1>cancelled</h1>');
    const result = await bakeSmoke(rel, { signal: stop.signal });
    assert.ok(!result.healthy && result.cancelled);
    assert.deepEqual(await types(rel.run.runId), ['promoted', 'bake-started', 'bake-cancelled']);
    const stored = (await seed.store.listReleases(target.name)).find((r) => r.releaseId === rel.releaseId);
    assert.equal(stored!.status, 'failed');
  });

  it('blocks promotion when a watcher is blind: missing, muted or without data', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        alarm('muted', 'OK', { ActionsEnabled: false }),
        alarm('blind', 'OK'),
        alarm('firing', 'ALARM'),
        alarm('unsure', 'INSUFFICIENT_DATA'),
      ],
    });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm', Values: [] }] });
    const rel = await release('<h1>pre</h1>');
    const result = await runPreflight({
      store: seed.store,
      release: rel,
      alarms,
      names: ['muted', 'blind', 'firing', 'unsure', 'gone'],
      actor: 'test',
    });
    assert.equal(result.ok, false);
    const text = result.problems.join('\n');
    for (const expected of [
      /muted has its actions disabled/,
      /blind's metric has no recent datapoints/,
      /unsure is in INSUFFICIENT_DATA/,
      /alarm gone does not exist/,
    ])
      assert.match(text, expected);
    assert.ok((await types(rel.run.runId)).includes('preflight-failed'));
  });

  it("lets a fix go forward while production's alarm fires, and says so on the timeline", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'ALARM')] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm', Values: [1] }] });
    const rel = await release('<h1>fix</h1>');
    const result = await runPreflight({ store: seed.store, release: rel, alarms, names: ['smoke'], actor: 'test' });
    assert.equal(result.ok, true);
    assert.deepEqual(result.problems, []);
    assert.match(
      result.notes[0]!,
      /smoke is firing now .*fixes forward and is judged only on what is measured after it goes live/,
    );
    const event = (await seed.store.listEvents(rel.run.runId)).find((e) => e.type === 'preflight-passed')!;
    assert.deepEqual(event.detail!.notes, result.notes);
  });

  it('does not fail a release on an alarm whose breaching datapoints were measured before it went live', async () => {
    const good = await release('<h1>verified</h1>');
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    await bakeSmoke(good);
    const fix = await release('<h1>fix forward</h1>');
    const since = clock;
    // CloudWatch's StateReasonData: the evaluated periods by their start, as DescribeAlarms gives them.
    const reasonData = (points: { at: number; value?: number }[]) =>
      JSON.stringify({
        version: '1.0',
        startDate: new Date(points[0]!.at).toISOString().replace('Z', '+0000'),
        evaluatedDatapoints: points.map((p) => ({
          timestamp: new Date(p.at).toISOString().replace('Z', '+0000'),
          ...(p.value === undefined ? {} : { value: p.value, sampleCount: 1 }),
        })),
      });
    const stale = alarm('smoke', 'ALARM', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      StateReasonData: reasonData([{ at: since - 120_000 }, { at: since - 60_000, value: 1 }, { at: since }]),
    });
    // resolvesOnce counts from the mock's first call: start this bake's calls from none.
    cloudwatch.reset();
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [stale] })
      .resolvesOnce({ MetricAlarms: [stale] })
      .resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    const result = await bakeSmoke(fix, { since });
    assert.deepEqual(result, { healthy: true, checks: 5 });
    const events = await seed.store.listEvents(fix.run.runId);
    assert.deepEqual(
      events.map((e) => e.type),
      ['promoted', 'bake-started', 'alarm-before-release', 'verified'],
      'said once, not once per check',
    );
    assert.match(String(events[2]!.detail!.said), /measured before release .* went live/);

    // The same alarm on a datapoint of the release's own time is its own evidence: rolled back.
    const broken = await release('<h1>broken</h1>');
    const brokenSince = clock;
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          ...stale,
          StateReasonData: reasonData([
            { at: brokenSince - 60_000, value: 1 },
            { at: brokenSince, value: 1 },
          ]),
        },
      ],
    });
    const rolled = await bakeSmoke(broken, { since: brokenSince });
    assert.equal(!rolled.healthy && rolled.restored, fix.releaseId, 'back to the fix, which passed its own bake');
  });

  it('holds a bake open while an old fault is still in the window, and acts once the alarm has only new data', async () => {
    const rel = await release('<h1>held</h1>');
    const since = clock;
    cloudwatch.reset();
    const onlyStart = (at: number) =>
      alarm('smoke', 'ALARM', { StateReasonData: JSON.stringify({ startDate: new Date(at).toISOString() }) });
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [onlyStart(since - 60_000)] })
      .resolves({ MetricAlarms: [onlyStart(since + 60_000)] });
    const result = await bakeSmoke(rel, { since });
    assert.equal(result.healthy, false, 'a window that no longer reaches before the release is its own evidence');
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 2);

    // With no StateReasonData at all (a state set by hand), an ALARM counts at once: fail closed.
    const bare = await release('<h1>bare</h1>');
    cloudwatch.reset();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'ALARM')] });
    const acted = await bakeSmoke(bare, { since: clock });
    assert.equal(acted.healthy, false);
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 1);
  });

  it('passes pre-flight when every alarm is OK, armed and fed', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm', Values: [0, 0, 1] }] });
    const rel = await release('<h1>fed</h1>');
    assert.deepEqual(await runPreflight({ store: seed.store, release: rel, alarms, names: ['smoke'], actor: 'test' }), {
      ok: true,
      problems: [],
      notes: [],
    });
    const [query] = cloudwatch.commandCalls(GetMetricDataCommand);
    assert.equal(query!.args[0].input.MetricDataQueries![0]!.MetricStat!.Metric!.MetricName, 'SmokeFailures');
  });

  it('waits for CloudWatch to take in the probe it just published, and records how long', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'OK')] });
    // Ingestion lag: the first two queries see nothing, the third sees the probe's datapoint.
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'm', Values: [] }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'm', Values: [] }] })
      .resolves({ MetricDataResults: [{ Id: 'm', Values: [0] }] });
    const rel = await release('<h1>lag</h1>');
    const waits: string[][] = [];
    const result = await runPreflight({
      store: seed.store,
      release: rel,
      alarms,
      names: ['smoke'],
      actor: 'test',
      ...fast,
      pollMs: 15_000,
      waitMs: 180_000,
      onWait: (p) => waits.push([...p]),
    });
    assert.deepEqual(result, { ok: true, problems: [], notes: [] });
    assert.equal(waits.length, 2);
    assert.match(waits[0]![0]!, /no recent datapoints/);
    const [event] = (await seed.store.listEvents(rel.run.runId)).filter((e) => e.type.startsWith('preflight'));
    assert.equal(event!.type, 'preflight-passed', 'one decision recorded, not one per look');
    assert.equal(event!.detail!.waitedMs, 30_000);
  });

  it('gives up after the wait, and never waits on a watcher that is missing or muted', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm', Values: [] }] });
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'INSUFFICIENT_DATA')] });
    const rel = await release('<h1>starved</h1>');
    const start = clock;
    const starved = await runPreflight({
      store: seed.store,
      release: rel,
      alarms,
      names: ['smoke'],
      actor: 'test',
      ...fast,
      pollMs: 15_000,
      waitMs: 60_000,
    });
    assert.equal(starved.ok, false);
    assert.equal(clock - start, 60_000, 'waited the whole wait, no longer');

    for (const [name, state, extra] of [['muted', 'OK', { ActionsEnabled: false }]] as const) {
      cloudwatch
        .on(DescribeAlarmsCommand)
        .resolves({ MetricAlarms: [alarm(name, state, extra), alarm('smoke', 'INSUFFICIENT_DATA')] });
      const before = clock;
      const result = await runPreflight({
        store: seed.store,
        release: rel,
        alarms,
        names: [name, 'smoke'],
        actor: 'test',
        ...fast,
        waitMs: 60_000,
      });
      assert.equal(result.ok, false);
      assert.equal(clock, before, `no wait: ${name} will not cure itself`);
    }
    const gone = await runPreflight({
      store: seed.store,
      release: rel,
      alarms,
      names: ['gone'],
      actor: 'test',
      ...fast,
      waitMs: 60_000,
    });
    assert.match(gone.problems[0]!, /does not exist/);

    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('smoke', 'INSUFFICIENT_DATA')] });
    const stop = new AbortController();
    const before = clock;
    const stopped = await runPreflight({
      store: seed.store,
      release: rel,
      alarms,
      names: ['smoke'],
      actor: 'test',
      ...fast,
      waitMs: 60_000,
      signal: stop.signal,
      onWait: () => stop.abort(),
    });
    assert.equal(stopped.ok, false);
    assert.equal(clock - before, 30_000, 'Ctrl-C ends the wait: no look after it');
  });

  it('publishes the smoke outcome and latency in the uigate namespace', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    await new CloudWatchMetrics(new CloudWatchClient({ region: 'eu-west-1' }), 'production').put({
      failures: 1,
      total: 4,
      latencyMs: 2300,
      at: 1_700_000_000_000,
    });
    const input = cloudwatch.commandCalls(PutMetricDataCommand)[0]!.args[0].input;
    assert.equal(input.Namespace, 'uigate');
    assert.deepEqual(
      input.MetricData!.map((m) => [m.MetricName, m.Value, m.Unit]),
      [
        ['SmokeFailures', 1, 'Count'],
        ['SmokeTests', 4, 'Count'],
        ['SmokeLatency', 2300, 'Milliseconds'],
      ],
    );
  });
});
