// An execution's story from its events: nothing told across a gap, and a moment whose own event
// never came told from the others only once the execution has been quiet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../store/pipeline-log.ts';
import { QUIET_MS, transitions } from './transitions.ts';

const STAGES = ['Source', 'Build', 'Test'];
const T0 = Date.parse('2026-12-07T12:00:00.000Z');
let n = 0;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const event = (s: number, state: string, stage?: string): PipelineEvent => ({
  id: `e${n++}`,
  at: at(s),
  receivedAt: at(s),
  pipeline: 'p',
  executionId: 'x',
  scope: stage ? 'stage' : 'execution',
  state,
  startTime: at(0),
  ...(stage ? { stage } : {}),
});
const kinds = (events: PipelineEvent[], now: number) =>
  transitions(STAGES, events, T0 + now * 1000).map(
    (t) =>
      `${t.kind}${t.kind === 'stage' ? `:${t.starting}` : ''}${t.kind === 'ended' ? `:${t.status}:${t.endedIn}` : ''}`,
  );

describe("an execution's transitions", () => {
  it('stops at a gap: a later stage waits for the one before it', () => {
    const events = [event(0, 'STARTED'), event(1, 'STARTED', 'Source'), event(20, 'STARTED', 'Test')];
    assert.deepEqual(kinds(events, 21), ['started']);
    assert.deepEqual(kinds([...events, event(5, 'STARTED', 'Build')], 21), ['started', 'stage:Build', 'stage:Test']);
  });

  it('tells a stage whose STARTED never came from the stage before it, once nothing has arrived for a while', () => {
    const events = [event(0, 'STARTED'), event(1, 'STARTED', 'Source'), event(4, 'SUCCEEDED', 'Source')];
    events.push(event(9, 'SUCCEEDED', 'Build'));
    assert.deepEqual(kinds(events, 10), ['started']);
    const quiet = 9 + QUIET_MS / 1000;
    const told = transitions(STAGES, events, T0 + quiet * 1000);
    assert.deepEqual(
      told.map((t) => t.kind),
      ['started', 'stage'],
    );
    assert.equal(told[1]!.at, at(4), 'Build started when Source succeeded');
  });

  it('ends a FAILED execution in the stage that failed; without that stage’s word, only once quiet', () => {
    const base = [event(0, 'STARTED'), event(1, 'STARTED', 'Source'), event(3, 'STARTED', 'Build')];
    const failed = event(8, 'FAILED');
    assert.deepEqual(kinds([...base, failed], 9), ['started', 'stage:Build']);
    assert.deepEqual(kinds([...base, failed], 8 + QUIET_MS / 1000), ['started', 'stage:Build', 'ended:Failed:Build']);
    assert.deepEqual(kinds([...base, failed, event(7, 'FAILED', 'Build')], 9), [
      'started',
      'stage:Build',
      'ended:Failed:Build',
    ]);
  });

  it('ends a succeeded execution after its last stage, and a superseded one where it stood', () => {
    const run = [event(0, 'STARTED'), event(1, 'STARTED', 'Source'), event(2, 'STARTED', 'Build')];
    assert.deepEqual(kinds([...run, event(9, 'SUPERSEDED')], 10), ['started', 'stage:Build', 'ended:Superseded:Build']);
    const done = [...run, event(3, 'STARTED', 'Test'), event(6, 'SUCCEEDED', 'Test')];
    assert.deepEqual(kinds(done, 7), ['started', 'stage:Build', 'stage:Test', 'ended:Succeeded:Test']);
  });
});
