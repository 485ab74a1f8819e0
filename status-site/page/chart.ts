// Durations as a small bar chart, oldest left, each bar coloured by its status: a unit's recent
// runs on its panel, the project's recent runs on the runs list.
import type { Run, Unit } from './api.ts';
import { duration } from './format.ts';
import { svg } from './dom.ts';

export interface Bar {
  status: string;
  durationMs: number;
  title: string;
  current?: boolean;
  /** Where a click on the bar goes. */
  href?: string;
}

export function durationChart(bars: readonly Bar[], label: string, width = 240): SVGElement {
  const height = 56;
  const max = Math.max(1, ...bars.map((bar) => bar.durationMs));
  const slot = width / Math.max(bars.length, 12);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height + 2}`, role: 'img', 'aria-label': label });
  bars.forEach((point, i) => {
    const barHeight = Math.max(2, (point.durationMs / max) * height);
    const bar = svg('rect', {
      x: (i * slot + 1).toFixed(1),
      y: (height - barHeight).toFixed(1),
      width: Math.max(2, slot - 2).toFixed(1),
      height: barHeight.toFixed(1),
      rx: 1.5,
      class: `bar s-${point.status}${point.current ? ' current' : ''}`,
    });
    bar.appendChild(svg('title', {}, point.title));
    chart.appendChild(point.href ? svg('a', { href: point.href }, bar) : bar);
  });
  chart.appendChild(svg('line', { x1: 0, x2: width, y1: height + 1, y2: height + 1, class: 'axis' }));
  return chart;
}

export function historyChart(history: readonly Unit[], currentRunId: string): SVGElement {
  const points = [...history].reverse().filter((unit) => unit.durationMs !== undefined);
  return durationChart(
    points.map((unit) => ({
      status: unit.status,
      durationMs: unit.durationMs!,
      title: `${unit.runId}: ${unit.status}, ${duration(unit.durationMs)}`,
      current: unit.runId === currentRunId,
    })),
    `Durations of the last ${points.length} runs`,
  );
}

/** Charts finished runs (with a duration), newest first: how long the suite takes and how it ends. */
export function runsChart(finished: readonly Run[]): SVGElement {
  const points = [...finished].reverse();
  return durationChart(
    points.map((run) => ({
      status: run.status,
      durationMs: run.durationMs!,
      title: `${run.runId}: ${run.status}, ${run.total} units in ${duration(run.durationMs)}`,
      href: `/runs/${encodeURIComponent(run.runId)}`,
    })),
    `Durations of the last ${points.length} finished runs`,
    480,
  );
}
