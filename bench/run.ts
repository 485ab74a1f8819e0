// npm run bench [-- name ...]: runs the benchmarks and writes their sections of BENCHMARKS.md.
import { writeSection } from './lib.ts';
import { statusSiteBench } from './status-site.ts';
import { runVsPlaywrightBench } from './run-vs-playwright.ts';
import { lambdaBench } from './lambda.ts';
import { rollbackBench } from './rollback.ts';
import { apiLoadBench } from './api-load.ts';
import { storeThroughputBench } from './store-throughput.ts';
import { reporterOverheadBench } from './reporter-overhead.ts';
import { skewedSuiteBench } from './skewed-suite.ts';
import { edgeCacheBench } from './edge-cache.ts';
import { scaleBench } from './scale.ts';

const BENCHES: Record<string, () => Promise<string>> = {
  'run-vs-playwright': runVsPlaywrightBench,
  'skewed-suite': skewedSuiteBench,
  'status-site': () => statusSiteBench(),
  'status-site-10k': () => statusSiteBench(10_000),
  lambda: lambdaBench,
  'reporter-overhead': reporterOverheadBench,
  'api-load': apiLoadBench,
  'store-throughput': storeThroughputBench,
  rollback: rollbackBench,
  'edge-cache': edgeCacheBench,
  scale: scaleBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!BENCHES[name]) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.error(`bench: ${name}…`);
  const section = await BENCHES[name]!();
  await writeSection(name, section);
  console.log(section);
}
