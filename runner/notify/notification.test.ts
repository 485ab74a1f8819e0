// Golden tests: every kind of notification, with full and with minimal context, rendered for the
// terminal, an email and a chat channel, compared with the files under golden/ (regenerate with
// UPDATE_GOLDEN=1 and read the diff). Every chat rendering is a valid custom notification.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chatNotificationProblems } from './chat-notification.ts';
import type {
  Notification,
  NotifiedRun,
  PipelineContext,
  PipelineKind,
  PipelineNotification,
  RunKind,
  RunNotification,
} from './notification.ts';
import { channelView } from './channel-view.ts';
import { chatMessage } from './render-chat.ts';
import { emailSubject, emailText, terminalText } from './render-text.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

const FULL_RUN: NotifiedRun = {
  runId: '20261207T101500000Z-k3x9',
  status: 'failed',
  trigger: 'codepipeline/shop-release',
  total: 48,
  counts: { passed: 45, failed: 2, flaky: 1 },
  commit: '9f1c2ab34d5e6f708192a3b4c5d6e7f8091a2b3c',
  commitMessage: 'Checkout: pay with a saved card (#412)\n\nLonger body the subject line hides.',
  branch: 'main',
  author: 'Dev One <dev@example.com>',
  durationMs: 372_000,
  startedAt: '2026-12-07T10:15:00.000Z',
  pipelineName: 'shop-release',
  pipelineExecutionId: '3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e44',
};
const MINIMAL_RUN: NotifiedRun = {
  runId: '20261207T101500000Z-k3x9',
  status: 'passed',
  trigger: 'cli',
  total: 3,
  counts: { passed: 3 },
};
const TARGET = 's3://shop-production-site';

/** Each kind, with everything uigate knows at that moment; the minimal one keeps only what is always there. */
const FULL: Record<RunKind, Omit<RunNotification, 'run'> & { run?: Partial<NotifiedRun> }> = {
  'run-started': {
    kind: 'run-started',
    run: { status: 'running' },
    expectedFinishAt: '2026-12-07T10:21:30.000Z',
    pipelineFinishAt: '2026-12-07T10:52:10.000Z',
  },
  'run-finished': { kind: 'run-finished', run: { status: 'passed', counts: { passed: 47, flaky: 1 } } },
  'run-failed': {
    kind: 'run-failed',
    reason: '2 failed: [chromium] checkout › pays with a saved card, [firefox] checkout › pays with a saved card',
  },
  'approval-requested': { kind: 'approval-requested', run: { status: 'passed', counts: { passed: 47, flaky: 1 } } },
  'approval-decided': {
    kind: 'approval-decided',
    run: { status: 'passed' },
    decision: 'approved',
    actor: 'ana@example.com',
    reason: 'smoke matrix green',
  },
  'release-promoted': {
    kind: 'release-promoted',
    run: { status: 'passed' },
    release: { target: TARGET, releaseId: '20261207T101500000Z-k3x9', previous: '20261206T170200000Z-a1b2' },
  },
  'release-verified': {
    kind: 'release-verified',
    run: { status: 'passed' },
    release: { target: TARGET, releaseId: '20261207T101500000Z-k3x9', bakeMs: 600_000 },
  },
  'release-rolled-back': {
    kind: 'release-rolled-back',
    run: { status: 'passed' },
    reason: 'uigate-smoke-failures is ALARM: Threshold Crossed: 1 datapoint [2.0] was >= 1.0',
    release: {
      target: TARGET,
      releaseId: '20261207T101500000Z-k3x9',
      restored: '20261206T170200000Z-a1b2',
      alarm: 'uigate-smoke-failures',
      faultToRestoreMs: 94_000,
      bakeMs: 151_000,
    },
  },
  'rollback-failed': {
    kind: 'rollback-failed',
    run: { status: 'passed' },
    reason: 'the deploy command of command:production exited 1 publishing release 20261206T170200000Z-a1b2',
    release: { target: 'command:production', releaseId: '20261207T101500000Z-k3x9', alarm: 'checkout-5xx' },
  },
  'release-failed': {
    kind: 'release-failed',
    run: { status: 'passed' },
    reason:
      'uigate-smoke-failures is ALARM; no release on s3://shop-production-site has passed verification; 20261207T101500000Z-k3x9 stays live',
    release: { target: TARGET, releaseId: '20261207T101500000Z-k3x9', alarm: 'uigate-smoke-failures', bakeMs: 95_000 },
  },
  'approval-reminder': {
    kind: 'approval-reminder',
    run: { status: 'passed', counts: { passed: 47, flaky: 1 } },
    waitedMs: 7_260_000,
  },
  'preflight-refused': {
    kind: 'preflight-refused',
    run: { status: 'passed' },
    release: {
      target: TARGET,
      releaseId: '20261207T101500000Z-k3x9',
      problems: [
        'checkout-5xx has its actions disabled',
        'uigate-smoke-failures: no datapoints in the last 10 minutes',
      ],
    },
  },
};

const STAGES = ['Source', 'Build', 'Test', 'Approval', 'Production'];
const PIPELINE: PipelineContext = {
  name: 'shop-release',
  executionId: FULL_RUN.pipelineExecutionId!,
  stages: STAGES,
  startedAt: '2026-12-07T10:09:40.000Z',
  at: '2026-12-07T10:15:00.000Z',
  status: 'InProgress',
  trigger: 'a push to main (GitHub)',
  commit: FULL_RUN.commit,
  commitMessage: FULL_RUN.commitMessage,
  branch: 'main',
  repository: 'example/shop',
  author: 'Dev One',
  consoleUrl: `https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/executions/${FULL_RUN.pipelineExecutionId}/timeline`,
};

/** The pipeline's moments, each with everything the watcher knows then. */
const PIPELINE_FULL: Record<
  PipelineKind,
  Omit<PipelineNotification, 'pipeline'> & { pipeline: Partial<PipelineContext> }
> = {
  'pipeline-started': {
    kind: 'pipeline-started',
    pipeline: { at: PIPELINE.startedAt, starting: 'Source' },
    expectedFinishAt: '2026-12-07T10:52:10.000Z',
  },
  'stage-changed': {
    kind: 'stage-changed',
    pipeline: { finished: 'Build', starting: 'Test' },
    expectedFinishAt: '2026-12-07T10:52:10.000Z',
  },
  'pipeline-succeeded': {
    kind: 'pipeline-succeeded',
    pipeline: {
      at: '2026-12-07T10:51:02.000Z',
      status: 'Succeeded',
      deployed: `release ${FULL_RUN.runId} to ${TARGET}`,
    },
    run: { ...FULL_RUN, status: 'passed', counts: { passed: 47, flaky: 1 } },
    link: `https://status.example.com/runs/${FULL_RUN.runId}`,
  },
  'pipeline-failed': {
    kind: 'pipeline-failed',
    pipeline: { at: '2026-12-07T10:22:41.000Z', status: 'Failed', endedIn: 'Test' },
    run: FULL_RUN,
    link: `https://status.example.com/runs/${FULL_RUN.runId}`,
    reason:
      'tests failed: 2 new failures: [chromium] checkout › pays with a saved card, [firefox] checkout › pays with a saved card',
  },
  'pipeline-stopped': {
    kind: 'pipeline-stopped',
    pipeline: { at: '2026-12-07T10:30:00.000Z', status: 'Superseded', endedIn: 'Approval' },
    reason: 'superseded: a newer execution went on through the pipeline',
  },
};

function cases(): [string, Notification][] {
  const runs = Object.entries(FULL).flatMap(([kind, { run, ...rest }]): [string, Notification][] => {
    const full = {
      ...rest,
      run: { ...FULL_RUN, ...run },
      link: `https://status.example.com/runs/${FULL_RUN.runId}`,
    } as RunNotification;
    const minimal = {
      kind: rest.kind,
      run: { ...MINIMAL_RUN, ...(run?.status ? { status: run.status } : {}) },
      ...(rest.release ? { release: { target: rest.release.target, releaseId: rest.release.releaseId } } : {}),
    } as RunNotification;
    return [
      [`${kind}.full`, full],
      [`${kind}.minimal`, minimal],
    ];
  });
  const pipelines = Object.entries(PIPELINE_FULL).flatMap(([kind, { pipeline, ...rest }]): [string, Notification][] => {
    const full: PipelineNotification = { ...rest, pipeline: { ...PIPELINE, ...pipeline } };
    const minimal: PipelineNotification = {
      kind: rest.kind,
      pipeline: {
        name: PIPELINE.name,
        executionId: PIPELINE.executionId,
        stages: [],
        startedAt: PIPELINE.startedAt,
        status: pipeline.status ?? 'InProgress',
        at: pipeline.at ?? PIPELINE.at,
        ...(pipeline.finished ? { finished: pipeline.finished, starting: pipeline.starting } : {}),
      },
    };
    return [
      [`${kind}.full`, full],
      [`${kind}.minimal`, minimal],
    ];
  });
  return [...runs, ...pipelines];
}

async function golden(name: string, actual: string): Promise<void> {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(path, actual);
    if (!process.env.UPDATE_GOLDEN) assert.fail(`${name} was missing: written, read it and commit it`);
    return;
  }
  assert.equal(actual, await readFile(path, 'utf8'), `${name} differs (UPDATE_GOLDEN=1 to accept)`);
}

describe('notifications, in the terminal, an email and a chat channel', () => {
  for (const [name, notification] of cases())
    it(`renders ${name}`, async () => {
      await golden(`${name}.terminal.txt`, terminalText(notification));
      await golden(`${name}.email.txt`, `Subject: ${emailSubject(notification)}\n\n${emailText(notification)}\n`);
      const chat = chatMessage(notification);
      assert.deepEqual(chatNotificationProblems(chat), [], 'a custom notification the channel shows');
      await golden(`${name}.chat.json`, `${JSON.stringify(chat, null, 2)}\n`);
      const subject = emailSubject(notification);
      assert.ok(subject.length < 100 && /^[\x20-\x7e]+$/.test(subject), subject);
    });

  it('tells an approver of a mono-repo release what changed since the live release, and what tested it', () => {
    const sinceRelease = {
      release: { target: TARGET, releaseId: 'R0', runId: 'R0', commit: 'aaaaaaaaaaaaaaaa' },
      commits: [{ commit: 'bbbbbbbbbbbbbbbb', subject: 'cheaper tea', components: ['web', 'api'] }],
      components: [
        { name: 'web', lastChange: 'bbbbbbbbbbbbbbbb', state: 'passed' as const, runId: 'R-web' },
        { name: 'api', lastChange: 'bbbbbbbbbbbbbbbb', state: 'never run' as const },
      ],
    };
    const asked: RunNotification = { kind: 'approval-requested', run: { ...FULL_RUN, sinceRelease } };
    assert.match(
      terminalText(asked),
      /changes: since release R0 \(aaaaaaaaaaaa\): 1 commit\(s\); web passed \(run R-web\), api never run/,
    );
    assert.doesNotMatch(
      terminalText({ ...asked, kind: 'run-finished' }),
      /Since release/,
      'only where someone decides',
    );
  });

  it('threads every message of one pipeline execution together, and a run without one on its own', () => {
    const full = cases().find(([name]) => name === 'run-failed.full')![1] as RunNotification;
    const minimal = cases().find(([name]) => name === 'run-failed.minimal')![1] as RunNotification;
    assert.equal(chatMessage(full).metadata?.threadId, FULL_RUN.pipelineExecutionId);
    assert.equal(
      chatMessage({ ...full, kind: 'release-promoted', release: { target: TARGET, releaseId: 'x' } }).metadata
        ?.threadId,
      FULL_RUN.pipelineExecutionId,
    );
    assert.equal(chatMessage(minimal).metadata?.threadId, MINIMAL_RUN.runId);
    for (const kind of Object.keys(PIPELINE_FULL))
      assert.equal(
        chatMessage(cases().find(([name]) => name === `${kind}.full`)![1]).metadata?.threadId,
        FULL_RUN.pipelineExecutionId,
        `${kind} joins the execution's thread`,
      );
  });

  it('shows people’s text as text in the channel: markdown in a commit message or a comment is escaped', () => {
    const full = cases().find(([name]) => name === 'approval-decided.full')![1] as RunNotification;
    const chat = chatMessage({
      ...full,
      reason: 'ok *but* see <!channel> `x`',
      run: { ...full.run, commitMessage: '[link](http://evil.example)' },
    });
    assert.match(chat.content.description, /ok \*but\* see ‹!channel› `x`/);
    assert.match(chat.content.description, /\[link\] \(http:\/\/evil\.example\)/);
    assert.doesNotMatch(JSON.stringify(chat), /<!channel>|\]\(http/);
  });

  it('shows in the README, as a channel would, every kind of message the renderer makes', async () => {
    const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
    const text = await readFile(readme, 'utf8');
    const [start, end] = ['<!-- notification-examples -->', '<!-- /notification-examples -->'];
    const examples = cases()
      .filter(([name]) => name.endsWith('.full'))
      .map(
        ([name, n]) =>
          `<details><summary><code>${name.replace('.full', '')}</code></summary>\n\n${channelView(chatMessage(n))}\n\n</details>`,
      )
      .join('\n');
    const section = `${start}\n${examples}\n${end}`;
    const current = text.slice(text.indexOf(start), text.indexOf(end) + end.length);
    if (process.env.UPDATE_GOLDEN && text.includes(start)) await writeFile(readme, text.replace(current, section));
    else
      assert.equal(current, section, 'README.md examples differ from the renderer (UPDATE_GOLDEN=1 to rewrite them)');
  });

  it('finds what a channel would drop', () => {
    assert.deepEqual(chatNotificationProblems({ version: '1.0', source: 'custom', content: { description: 'x' } }), []);
    assert.deepEqual(chatNotificationProblems({ default: 'plain text' }), [
      'version must be "1.0", got undefined',
      'source must be "custom", got undefined',
      'content is required',
    ]);
    assert.match(
      chatNotificationProblems({
        version: '1.0',
        source: 'custom',
        content: { textType: 'markdown', description: 'x' },
      })[0]!,
      /textType must be "client-markdown"/,
    );
  });
});
