// A unit's recent durations as a small bar chart, oldest left, each bar coloured by its status.
import type { Unit } from './api.ts';
import { duration } from './format.ts';
import { svg } from './dom.ts';

export function historyChart(history: readonly Unit[], currentRunId: string): SVGElement {
  const points = [...history].reverse().filter((unit) => unit.durationMs !== undefined);
  const width = 240;
  const height = 56;
  const max = Math.max(1, ...points.map((unit) => unit.durationMs!));
  const slot = width / Math.max(points.length, 12);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height + 2}`, role: 'img', 'aria-label': `Durations of the last ${points.length} runs` });
  points.forEach((unit, i) => {
    const barHeight = Math.max(2, (unit.durationMs! / max) * height);
    const bar = svg('rect', {
      x: (i * slot + 1).toFixed(1),
      y: (height - barHeight).toFixed(1),
      width: Math.max(2, slot - 2).toFixed(1),
      height: barHeight.toFixed(1),
      rx: 1.5,
      class: `bar s-${unit.status}${unit.runId === currentRunId ? ' current' : ''}`,
    });
    bar.appendChild(svg('title', {}, `${unit.runId}: ${unit.status}, ${duration(unit.durationMs)}`));
    chart.appendChild(bar);
  });
  chart.appendChild(svg('line', { x1: 0, x2: width, y1: height + 1, y2: height + 1, class: 'axis' }));
  return chart;
}
