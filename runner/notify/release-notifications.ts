// The release moments people must hear about, read off the release timeline as it is written
// (core/events.ts): a promotion, a bake that ends healthy, a rollback (by which alarm, from which
// release to which, how long from fault to restore), a rollback that failed or had nothing to go
// back to, a pre-flight that refused to promote. One mapping, so the timeline and the messages
// never tell two stories.
import type { ReleaseEventDetail } from '../core/events.ts';
import type { Notification, NotifiedRun } from './notification.ts';

export interface ReleaseMoment<T extends keyof ReleaseEventDetail = keyof ReleaseEventDetail> {
  type: T;
  detail: ReleaseEventDetail[T];
}

/** What the notifier needs besides the event: the run, its page, and what the bake was watching. */
export interface ReleaseStory {
  run: NotifiedRun;
  link?: string;
  target: string;
  releaseId: string;
  /** When the release went live (ms), for how long it baked. */
  promotedAt?: number;
  /** The alarm that fired, once one has. */
  alarm?: string;
  reason?: string;
}

/** The notification a timeline event makes, or undefined for events that are not news on their own. */
export function releaseNotification(moment: ReleaseMoment, story: ReleaseStory): Notification | undefined {
  const base = { run: story.run, link: story.link };
  const release = { target: story.target, releaseId: story.releaseId };
  const baked = story.promotedAt ? { bakeMs: Date.now() - story.promotedAt } : {};
  switch (moment.type) {
    case 'promoted': {
      const detail = moment.detail as ReleaseEventDetail['promoted'];
      return {
        ...base,
        kind: 'release-promoted',
        release: { target: detail.target, releaseId: detail.releaseId, previous: detail.previous ?? undefined },
      };
    }
    case 'verified':
      return { ...base, kind: 'release-verified', release: { ...release, ...baked } };
    case 'preflight-failed': {
      const detail = moment.detail as ReleaseEventDetail['preflight-failed'];
      return { ...base, kind: 'preflight-refused', release: { ...release, problems: detail.problems } };
    }
    case 'rollback-restored': {
      const detail = moment.detail as ReleaseEventDetail['rollback-restored'];
      return {
        ...base,
        kind: 'release-rolled-back',
        reason: story.reason,
        release: {
          ...release,
          ...baked,
          restored: detail.releaseId,
          alarm: story.alarm,
          faultToRestoreMs: detail.msFromAlarm,
        },
      };
    }
    case 'rollback-failed': {
      const detail = moment.detail as ReleaseEventDetail['rollback-failed'];
      return { ...base, kind: 'rollback-failed', reason: detail.reason, release: { ...release, alarm: story.alarm } };
    }
    case 'rollback-impossible': {
      const detail = moment.detail as ReleaseEventDetail['rollback-impossible'];
      return {
        ...base,
        kind: 'release-failed',
        reason: `${story.reason ? `${story.reason}; ` : ''}${detail.reason}`,
        release: { ...release, ...baked, alarm: story.alarm },
      };
    }
    default:
      return undefined;
  }
}
