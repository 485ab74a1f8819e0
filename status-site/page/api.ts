// The page's view of the API: typed fetches, errors as exceptions with the server's message.
import { jsonBody } from './json-body.ts';
import type { AttemptRecord, RunEvent as DomainRunEvent, RunMeta, UnitRecord } from '../../runner/core/model.ts';

import type { FlakyAnswer, FlakyUnit, UnitStats } from '../shared/flakiness.ts';
import type { ReviewedItem } from '../../runner/core/visual-review.ts';
import type { ReleaseState, TargetHistory } from '../shared/release-history.ts';

/** What the API answers for a run and a unit: the domain's own types, as the store keeps them. */
export type Run = RunMeta & {
  /** In the runs list: the release this run became, if any (app/releases-route.ts). */
  release?: { target: string; releaseId: string; state: ReleaseState };
};
export type Unit = UnitRecord;
export type Attempt = AttemptRecord;

export type { FlakyAnswer, FlakyUnit, UnitStats, ReleaseState, TargetHistory, ReviewedItem };

export type RunEvent = Omit<DomainRunEvent, 'runId'>;

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export interface RuleResult {
  rule: string;
  passed: boolean;
  measured: string;
  threshold: string;
}

export interface Vote {
  approver: string;
  decision: 'approved' | 'rejected';
  comment: string;
  at: string;
  gatePassed: boolean;
  override?: boolean;
}

export interface Approval {
  runId: string;
  state: 'none' | 'pending' | 'approved' | 'rejected' | 'expired' | 'superseded';
  request?: {
    release: { commit: string; artifactDigest?: string; pipelineExecutionId?: string };
    requestedAt: string;
    expiresAt: string;
    requiredApprovals: number;
    author?: string;
    visualReview?: true;
  };
  gate?: { passed: boolean; rules: RuleResult[] };
  votes: Vote[];
  supersededBy?: string;
  decided?: { state: string; at: string; override: boolean; pipeline?: string };
  delivery?: { state: 'delivered' | 'undeliverable' | 'retrying'; detail: string };
  /** The run's screenshot changes with their decisions (runner/gate/visual-review.ts), where the site can read its images. */
  visual?: ReviewedItem[];
  /** Null where this site takes no decisions (the read-only site in AWS). */
  approvals?: { approvers: number; requiredApprovals: number } | null;
}

export interface Decision {
  /** Absent: answers on screenshot changes only. */
  decision?: 'approved' | 'rejected';
  comment: string;
  visual?: { accept?: 'all' | string[]; reject?: string[] };
  override?: boolean;
  commit?: string;
}

/** Sends the one write: same origin, JSON, the uigate header and the approver's token, or the server refuses it. */
async function decide(runId: string, decision: Decision, token: string): Promise<Approval> {
  const { body: text, sha256 } = await jsonBody(decision);
  const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/approval`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-uigate-request': 'approval',
      'x-amz-content-sha256': sha256,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: text,
    credentials: 'same-origin',
  });
  const body = (await response.json().catch(() => ({}))) as Approval & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/** Since the last full run on the branch (runner/report/changes.ts, RunChanges). */
export interface Changes {
  baseline: { runId: string; status: string; startedAt: string } | null;
  newFailures: string[];
  stillFailing: string[];
  fixed: string[];
  firstFailures: string[];
}

export const api = {
  runs: (cursor?: string) =>
    get<{ runs: Run[]; cursor: string | null }>(`/api/runs${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
  run: (runId: string) => get<{ run: Run; units: Unit[] }>(`/api/runs/${encodeURIComponent(runId)}`),
  events: (runId: string) => get<{ events: RunEvent[] }>(`/api/runs/${encodeURIComponent(runId)}/events`),
  approval: (runId: string) => get<Approval>(`/api/runs/${encodeURIComponent(runId)}/approval`),
  changes: (runId: string) => get<Changes>(`/api/runs/${encodeURIComponent(runId)}/changes`),
  decide,
  history: (key: string) =>
    get<{ history: Unit[]; stats: UnitStats }>(`/api/units/${encodeURIComponent(key)}/history?limit=30`),
  flaky: () => get<FlakyAnswer>('/api/flaky'),
  releases: () => get<{ targets: TargetHistory[] }>('/api/releases'),
};

export const artifactUrl = (runId: string, path: string) =>
  `/artifacts/${encodeURIComponent(runId)}/${path.split('/').slice(1).map(encodeURIComponent).join('/')}`;
