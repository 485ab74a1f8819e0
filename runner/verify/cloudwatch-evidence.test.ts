// The bake against CloudWatch's API as moto_server implements it: a real alarm, its state set the
// way CloudWatch sets it (SetAlarmState with StateReasonData), read back through DescribeAlarms by
// the code `uigate verify` runs. A release is judged only on datapoints from after it went live.
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { releaseFolder } from '../testing/release-folder.ts';
import { CloudWatchAlarms } from './cloudwatch-alarms.ts';
import { LocalSiteTarget } from './local-site-target.ts';
import { promote, verifyRelease, type ApprovedRelease } from './verify.ts';

const skip = motoMissing();

/** CloudWatch's own stamp format, "+0000" rather than "Z". */
const stamp = (at: number) => new Date(at).toISOString().replace('Z', '+0000');

describe('the bake judges a release on its own datapoints (CloudWatch on moto_server)', { skip }, () => {
  let moto: Moto;
  let client: CloudWatchClient;
  let seed: SeededStore;
  let dir: string;
  let target: LocalSiteTarget;

  before(async () => {
    moto = await startMoto();
    client = new CloudWatchClient(moto.client);
    // The smoke alarm as the CDK stack defines it: SmokeFailures ≥ 1 in 1 of 3 periods of a minute.
    await client.send(
      new PutMetricAlarmCommand({
        AlarmName: 'uigate-smoke',
        Namespace: 'uigate',
        MetricName: 'SmokeFailures',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    seed = await seededStore();
    dir = await mkdtemp(join(tmpdir(), 'uigate-cw-evidence-'));
    target = new LocalSiteTarget(join(dir, 'production'));
  });
  after(async () => {
    client?.destroy();
    await moto?.close();
    await seed?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const release = async (name: string): Promise<ApprovedRelease & { promotedAt: number }> => {
    const runId = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }]);
    const run = (await seed.store.getRun(runId))!;
    const files = await releaseFolder(join(dir, 'build', runId), { 'index.html': `<h1>${name}</h1>` });
    const { promotedAt } = await promote({
      store: seed.store,
      target,
      release: { releaseId: runId, run },
      fromDir: files,
      actor: 'test',
    });
    return { releaseId: runId, run, promotedAt };
  };
  /** The alarm in ALARM on one breaching period that began at `at`, as CloudWatch reports it. */
  const breachedAt = (at: number) =>
    client.send(
      new SetAlarmStateCommand({
        AlarmName: 'uigate-smoke',
        StateValue: 'ALARM',
        StateReason:
          'Threshold Crossed: 1 out of the last 3 datapoints [1.0] was greater than or equal to the threshold (1.0)',
        StateReasonData: JSON.stringify({
          version: '1.0',
          startDate: stamp(at - 120_000),
          statistic: 'Sum',
          period: 60,
          recentDatapoints: [1.0],
          threshold: 1.0,
          evaluatedDatapoints: [
            { timestamp: stamp(at), sampleCount: 1.0, value: 1.0 },
            { timestamp: stamp(at - 60_000) },
            { timestamp: stamp(at - 120_000) },
          ],
        }),
      }),
    );
  const bake = (rel: ApprovedRelease & { promotedAt: number }) =>
    verifyRelease({
      store: seed.store,
      target,
      release: rel,
      alarms: new CloudWatchAlarms(client),
      names: ['uigate-smoke'],
      actor: 'test',
      durationMs: 0,
      pollMs: 1,
      since: rel.promotedAt,
    });

  it('verifies a fix whose only breaching period began before it went live, and rolls a broken one back to it', async () => {
    const first = await release('broken, stays live');
    await breachedAt(first.promotedAt + 1);
    const stuck = await bake(first);
    assert.equal(stuck.healthy, false);

    const fix = await release('fix');
    // The pre-flight's probe of the broken production: a period that began a minute before the fix.
    await breachedAt(fix.promotedAt - 60_000);
    const events: string[] = [];
    const pending = bake(fix);
    // While the old period is in the window the bake waits; once CloudWatch evaluates again, OK.
    await new Promise((ok) => setTimeout(ok, 50));
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'uigate-smoke',
        StateValue: 'OK',
        StateReason: 'Threshold Crossed: no datapoints',
      }),
    );
    const fixed = await pending;
    events.push(...(await seed.store.listEvents(fix.run.runId)).map((e) => e.type));
    assert.equal(fixed.healthy, true);
    assert.ok(events.includes('alarm-before-release'), events.join(', '));

    const broken = await release('broken again');
    await breachedAt(broken.promotedAt);
    const rolled = await bake(broken);
    assert.equal(!rolled.healthy && rolled.restored, fix.releaseId);
  });
});
