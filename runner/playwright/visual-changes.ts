// A failed screenshot comparison, recognised from what Playwright leaves on a test result: the
// `<name>-expected` attachment whose path is the baseline file itself, `-actual`, `-diff`, and the
// error that says how many pixels differ — or that the baseline did not exist and was written.
// A unit fails "visually only" when every error of its attempt is such a comparison: an intended
// change a person can accept, as opposed to a broken page. Outcomes stay exactly Playwright's;
// this only describes them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Attachment, VisualChange } from '../core/model.ts';

interface ResultAttachment {
  name: string;
  contentType: string;
  path?: string;
}

const IMAGE = /^image\//;
const suffixed = (name: string, suffix: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}${suffix}${name.slice(dot)}` : `${name}${suffix}`;
};
const unsuffixed = (name: string, suffix: string) => name.replace(new RegExp(`${suffix}(\\.[^.]+)?$`), '$1');

/** What a screenshot comparison's error says, when it is one; undefined for any other error. */
function comparisonOf(
  message: string,
  baselines: readonly string[],
): { baseline: string; kind: VisualChange['kind']; pixels?: number; ratio?: number } | undefined {
  // eslint-disable-next-line no-control-regex -- Playwright colours its messages
  const text = message.replace(/\u001b\[[0-9;]*m/g, '');
  const missing = /A snapshot doesn't exist at (.+?)(?:, writing actual\.|\.)\s*$/m.exec(text);
  if (missing) return baselines.includes(missing[1]!) ? { baseline: missing[1]!, kind: 'new' } : undefined;
  if (!/expect\(.*\)\.(toHaveScreenshot|toMatchSnapshot)\(/.test(text)) return undefined;
  // Only a difference is a visual change: a timeout waiting for a stable screenshot is not.
  const pixels = /(\d+) pixels \(ratio ([\d.]+) of all image pixels\) are different\./.exec(text);
  const size = /Expected an image \d+px by \d+px, received \d+px by \d+px\./.test(text);
  if (!pixels && !size) return undefined;
  return {
    baseline: '',
    kind: 'changed',
    ...(pixels ? { pixels: Number(pixels[1]), ratio: Number(pixels[2]) } : {}),
  };
}

/** The images' sha-256, read from the files Playwright wrote; none for a file that cannot be read. */
function shas(
  expected: string | undefined,
  actual: string | undefined,
): Pick<VisualChange, 'expectedSha' | 'actualSha'> {
  const sha = (path: string | undefined) => {
    if (!path) return undefined;
    try {
      return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return undefined;
    }
  };
  const [expectedSha, actualSha] = [sha(expected), sha(actual)];
  return { ...(expectedSha ? { expectedSha } : {}), ...(actualSha ? { actualSha } : {}) };
}

/**
 * The screenshot comparisons that failed in one attempt, and whether they are all of its errors.
 * `projectDir` is where baselines are relative to (the folder of playwright.config).
 */
export function visualChangesOf(
  attachments: readonly ResultAttachment[],
  errors: readonly { message?: string }[],
  projectDir: string,
): { changes: VisualChange[]; visualOnly: boolean } {
  const byName = new Map(attachments.map((attachment) => [attachment.name, attachment]));
  const actuals = attachments.filter((a) => IMAGE.test(a.contentType) && /-actual(\.[^.]+)?$/.test(a.name));
  const pairs = actuals.map((actual) => {
    const name = unsuffixed(actual.name, '-actual');
    const expected = byName.get(suffixed(name, '-expected'));
    return { name, actual, expected, diff: byName.get(suffixed(name, '-diff')) };
  });
  const baselines = pairs.flatMap((pair) => (pair.expected?.path ? [pair.expected.path] : []));
  const said = errors.map((error) => comparisonOf(error.message ?? '', baselines));
  // Differences are told in the order the comparisons ran, as their images were attached.
  const differences = said.filter((comparison) => comparison?.kind === 'changed');
  const changes: VisualChange[] = [];
  for (const pair of pairs) {
    const path = pair.expected?.path;
    if (!path) continue;
    const found = said.find((c) => c?.kind === 'new' && c.baseline === path) ?? differences.shift();
    if (!found) continue;
    changes.push({
      name: pair.name,
      baseline: relative(projectDir, path).split(sep).join('/'),
      kind: found.kind,
      ...(found.pixels !== undefined ? { pixels: found.pixels, ratio: found.ratio } : {}),
      ...(found.kind === 'changed' ? { expected: pair.expected!.name } : {}),
      actual: pair.actual.name,
      ...(pair.diff ? { diff: pair.diff.name } : {}),
      ...shas(found.kind === 'changed' ? pair.expected!.path : undefined, pair.actual.path),
    });
  }
  const visualOnly = errors.length > 0 && changes.length > 0 && said.every(Boolean);
  return { changes, visualOnly };
}

/**
 * The changes with their images as the artifact store keeps them (this attempt's saved
 * attachments); a change whose actual image was not kept cannot be reviewed, and is left out.
 */
export function withStoredImages(
  changes: readonly VisualChange[],
  saved: readonly Attachment[],
  attempt: number,
): VisualChange[] {
  const keyOf = (name: string | undefined) =>
    name === undefined ? undefined : saved.find((a) => a.name === name && (a.attempt ?? attempt) === attempt)?.path;
  return changes.flatMap((change) => {
    const actual = keyOf(change.actual);
    if (!actual) return [];
    const expected = keyOf(change.expected);
    const diff = keyOf(change.diff);
    return [{ ...change, actual, ...(expected ? { expected } : {}), ...(diff ? { diff } : {}) }];
  });
}
