// Viewer requests that reach S3 for a production site behind CloudFront, before and after uigate
// stored Cache-Control with each release: 1,000 first-time page views in an hour at one edge, with
// a promotion half-way. S3 is moto_server (the objects, their Cache-Control and the server-side
// copies that publish a release are real S3 API calls); the edge is bench/edge-model.ts.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contentTypeOf } from '../runner/core/content-types.ts';
import { startMoto } from '../runner/testing/moto.ts';
import { EdgeCachedTarget } from '../runner/verify/edge-cached-target.ts';
import { S3SiteTarget } from '../runner/verify/s3-site-target.ts';
import { EdgeModel } from './edge-model.ts';
import { machine } from './lib.ts';

const VIEWS = 1_000;
const HOUR = 3_600;

/** A built single-page app: an entry document naming its hashed assets, and a few fixed files. */
function site(version: string): Record<string, string> {
  const assets = [
    `assets/index-${version}1f2e3d4.js`,
    `assets/vendor-9a8b7c6d.js`,
    `assets/index-${version}4c5b6a7.css`,
    `assets/inter-5e6f7a8b.woff2`,
    ...Array.from({ length: 6 }, (_, i) => `assets/photo${i}-0a1b2c3${i}.webp`),
  ];
  const index = `<!doctype html>${assets.map((a) => `<link href="/${a}">`).join('')}<p>release ${version}</p>`;
  return {
    'index.html': index,
    'robots.txt': 'User-agent: *',
    'favicon.ico': 'icon',
    ...Object.fromEntries(assets.map((a) => [a, `${a} of ${version}`])),
  };
}

async function folder(root: string, files: Record<string, string>): Promise<string> {
  for (const [file, body] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), body);
  }
  return root;
}

/** One page view by a viewer with an empty browser cache: the entry document and all it names. */
async function view(edge: EdgeModel, now: number): Promise<string> {
  const index = await edge.get('/', now);
  await edge.get('/favicon.ico', now);
  for (const [, path] of index.matchAll(/href="([^"]+)"/g)) await edge.get(path!, now);
  return /release (\w+)/.exec(index)![1]!;
}

interface Outcome {
  requests: number;
  staleViews: number;
}

async function traffic(edge: EdgeModel, promote: () => Promise<void>): Promise<Outcome> {
  let staleViews = 0;
  for (let i = 0; i < VIEWS; i++) {
    if (i === VIEWS / 2) await promote();
    const seen = await view(edge, (i * HOUR) / VIEWS);
    if (i >= VIEWS / 2 && seen !== 'b') staleViews++;
  }
  return { requests: edge.originRequests, staleViews };
}

export async function edgeCacheBench(): Promise<string> {
  const moto = await startMoto();
  const work = await mkdtemp(join(tmpdir(), 'uigate-bench-edge-'));
  const s3 = new S3Client({ ...moto.client, forcePathStyle: true });
  try {
    const a = await folder(join(work, 'a'), site('a'));
    const b = await folder(join(work, 'b'), site('b'));
    // Before: each file as a plain upload, with no Cache-Control (what a release carried before).
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    const upload = async (files: Record<string, string>) => {
      for (const [Key, Body] of Object.entries(files))
        await s3.send(new PutObjectCommand({ Bucket: 'plain', Key, Body, ContentType: contentTypeOf(Key) }));
    };
    await upload(site('a'));
    const plainEdge = new EdgeModel(s3, 'plain');
    const plain = await traffic(plainEdge, () => upload(site('b')));
    // After: staged and published by uigate, with the entry paths invalidated on promotion.
    await s3.send(new CreateBucketCommand({ Bucket: 'uigate' }));
    const edge = new EdgeModel(s3, 'uigate');
    const target = new EdgeCachedTarget(new S3SiteTarget(s3, 'uigate'), {
      name: 'edge model',
      invalidate: async (paths) => (edge.invalidate(paths), 'model'),
    });
    await target.stage('a', a);
    await target.publish('a');
    await target.stage('b', b);
    const cached = await traffic(edge, () => target.publish('b'));
    return [
      '## edge-cache — viewer requests reaching S3 behind CloudFront',
      '',
      `Command: \`npm run bench -- edge-cache\` · machine: ${machine()} · ${new Date().toISOString().slice(0, 10)}`,
      '',
      `${VIEWS.toLocaleString('en')} page views by viewers with an empty browser cache over an hour at one edge location; each loads the entry document, the favicon and the 10 hashed assets the document names (a single-page app). A new release is promoted after ${VIEWS / 2} views. S3 is moto_server; the edge follows CloudFront's documented expiration rules with WebSite's cache policy (minimum and default TTL 0, maximum a year) — a model, not CloudFront.`,
      '',
      '| release files as stored | requests reaching S3 | per page view | page views after the promotion that got the release before |',
      '|---|---|---|---|',
      `| without Cache-Control (before) | ${plain.requests.toLocaleString('en')} | ${(plain.requests / VIEWS).toFixed(2)} | ${plain.staleViews} |`,
      `| hashed assets a year, entry documents no-cache, entry paths invalidated on promotion (uigate) | ${cached.requests.toLocaleString('en')} | ${(cached.requests / VIEWS).toFixed(2)} | ${cached.staleViews} |`,
      '',
      `**${(plain.requests / cached.requests).toFixed(1)}× fewer requests reach S3**, and no viewer gets the release before once the promotion returned: the entry documents are revalidated on every view (a conditional GET, 304 while unchanged), the hashed assets are fetched once per edge and release. What still reaches S3 is one request per view for each file a browser asks for by a fixed name.`,
    ].join('\n');
  } finally {
    s3.destroy();
    await moto.close();
    await rm(work, { recursive: true, force: true });
  }
}
