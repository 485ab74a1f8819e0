// The scale bench's plot: makespan and cost against the share of chromium's work on Lambda, drawn
// as SVG and photographed by Chromium into a PNG for docs/ (no plotting library needed).
import { launchChromium } from '../status-site/testing/chromium.ts';

export interface MixPoint {
  /** Share of chromium's work on Lambda, 0–1. */
  share: number;
  makespanMs: number;
  costUsd: number;
}

const W = 720;
const H = 360;
const PAD = { left: 64, right: 72, top: 56, bottom: 56 };

/** An SVG chart: makespan (minutes, left axis) and cost (dollars, right axis), the planner's choice marked. */
export function mixSvg(points: readonly MixPoint[], chosen: MixPoint): string {
  const sorted = [...points].sort((a, b) => a.share - b.share);
  const maxMin = Math.max(...sorted.map((p) => p.makespanMs), chosen.makespanMs) / 60_000;
  const maxUsd = Math.max(...sorted.map((p) => p.costUsd), chosen.costUsd);
  // Four gridlines: whole minutes, round dollars.
  const [minTop, usdTop] = [Math.ceil((maxMin * 1.15) / 4) * 4, niceCeil(maxUsd * 1.15)];
  const x = (share: number) => PAD.left + share * (W - PAD.left - PAD.right);
  const yMin = (ms: number) => H - PAD.bottom - (ms / 60_000 / minTop) * (H - PAD.top - PAD.bottom);
  const yUsd = (usd: number) => H - PAD.bottom - (usd / usdTop) * (H - PAD.top - PAD.bottom);
  const line = (y: (p: MixPoint) => number) =>
    sorted.map((p, i) => `${i ? 'L' : 'M'}${x(p.share).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const text = (tx: number, ty: number, body: string, anchor = 'middle', fill = '#333') =>
    `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" text-anchor="${anchor}" fill="${fill}">${body}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="13">
<rect width="${W}" height="${H}" fill="#fff"/>
${text(W / 2, 22, 'Makespan and cost against the executor mix', 'middle', '#111')}
${text(W / 2, 40, '10,000 units; Lambda 200 + CodeBuild 20 containers × 4 workers; suite 1, with history', 'middle', '#555')}
${ticks
  .map(
    (t) =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#eee"/>${text(x(t), H - PAD.bottom + 18, `${t * 100} %`)}`,
  )
  .join('\n')}
${text(W / 2, H - 12, "share of chromium's work on Lambda (the rest, and all firefox and webkit, on CodeBuild)")}
${[0, 0.25, 0.5, 0.75, 1]
  .map(
    (f) =>
      `${text(PAD.left - 8, yMin(f * minTop * 60_000) + 4, `${f * minTop}`, 'end', '#1f5fbf')}${text(W - PAD.right + 8, yUsd(f * usdTop) + 4, `$${(f * usdTop).toFixed(2)}`, 'start', '#b35900')}`,
  )
  .join('\n')}
${text(PAD.left - 8, PAD.top - 16, 'min', 'end', '#1f5fbf')}${text(W - PAD.right + 8, PAD.top - 16, 'cost', 'start', '#b35900')}
<path d="${line((p) => yMin(p.makespanMs))}" fill="none" stroke="#1f5fbf" stroke-width="2.5"/>
<path d="${line((p) => yUsd(p.costUsd))}" fill="none" stroke="#b35900" stroke-width="2.5" stroke-dasharray="6 4"/>
${sorted.map((p) => `<circle cx="${x(p.share)}" cy="${yMin(p.makespanMs)}" r="4" fill="#1f5fbf"/><circle cx="${x(p.share)}" cy="${yUsd(p.costUsd)}" r="4" fill="#b35900"/>`).join('\n')}
<line x1="${x(chosen.share)}" x2="${x(chosen.share)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#2a8a2a" stroke-width="1.5" stroke-dasharray="3 3"/>
<circle cx="${x(chosen.share)}" cy="${yMin(chosen.makespanMs)}" r="6" fill="none" stroke="#2a8a2a" stroke-width="2"/>
${text(Math.min(x(chosen.share), W - PAD.right - 90), PAD.top + 14, "planner's choice", 'end', '#2a8a2a')}
${text(PAD.left + 10, H - PAD.bottom - 10, '— makespan', 'start', '#1f5fbf')}${text(PAD.left + 110, H - PAD.bottom - 10, '- - cost', 'start', '#b35900')}
</svg>`;
}

const niceCeil = (value: number) => {
  const step = 10 ** Math.floor(Math.log10(value || 1));
  return Math.ceil(value / step) * step;
};

/** Writes the chart as a PNG at `file`. */
export async function plotMix(points: readonly MixPoint[], chosen: MixPoint, file: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H }, deviceScaleFactor: 1 });
    await page.setContent(`<body style="margin:0">${mixSvg(points, chosen)}</body>`);
    await page.locator('svg').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}
