import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, resolveConfig, validateConfig } from './config.ts';
import { ConfigError } from '../core/errors.ts';

describe('validateConfig', () => {
  it('accepts a full config', () => {
    const config = {
      store: { table: 'results', region: 'eu-west-1', retentionDays: 90 },
      executors: { local: { workers: 2 } },
      dispatch: { infraRetries: 1 },
    };
    assert.deepEqual(validateConfig(config), config);
  });

  it('names an unknown key, suggests the one meant, lists the accepted ones', () => {
    assert.throws(
      () => validateConfig({ store: { tabel: 'x' } }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          'uigate.config.ts: unknown key "store.tabel"; did you mean "table"? Accepted here: type, endpoint, table, region, dataDir, retentionDays',
        );
        return true;
      },
    );
  });

  it('names the key, what was expected and what it got', () => {
    assert.throws(
      () => validateConfig({ executors: { local: { workers: '2' } } }),
      /executors\.local\.workers: expected a whole number \(tests at once on this machine\), got "2"/,
    );
    assert.throws(
      () => validateConfig({ store: { endpoint: 'localhost' } }),
      /store\.endpoint: expected a URL such as "http:\/\/127\.0\.0\.1:8000"/,
    );
    assert.throws(() => validateConfig({ store: { table: 'a b' } }), /store\.table: expected a DynamoDB table name/);
  });
});

describe('resolveConfig', () => {
  it('fills defaults relative to the project root', () => {
    const config = resolveConfig({}, '/p', {});
    assert.equal(config.store.dataDir, '/p/.uigate/dynamodb');
    assert.equal(config.store.table, 'uigate');
    assert.equal(config.store.endpoint, undefined);
    assert.equal(config.artifacts.dir, '/p/.uigate/artifacts');
    assert.equal(config.playwrightConfig, '/p/playwright.config.ts');
  });

  it('lets UIGATE_* variables override the file, as containers need', () => {
    const config = resolveConfig({ store: { table: 'a' } }, '/p', {
      UIGATE_TABLE: 'b',
      UIGATE_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      AWS_REGION: 'eu-west-1',
    });
    assert.deepEqual(
      [config.store.table, config.store.endpoint, config.store.region],
      ['b', 'http://127.0.0.1:9', 'eu-west-1'],
    );
  });
});

describe('loadConfig', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'uigate-config-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads uigate.config.ts written in TypeScript', async () => {
    await writeFile(
      join(dir, 'uigate.config.ts'),
      `const workers: number = 3;\nexport default { executors: { local: { workers } } };\n`,
    );
    const config = await loadConfig(dir, undefined, {});
    assert.equal(config.executors.local.workers, 3);
  });

  it('points at the line of a syntax error', async () => {
    await writeFile(join(dir, 'broken.config.ts'), `export default {\n  store: { table: 'x' \n`);
    await assert.rejects(
      loadConfig(dir, 'broken.config.ts', {}),
      /broken\.config\.ts could not be loaded: .*broken\.config\.ts:3:0: ERROR/,
    );
  });

  it('says so when the named file does not exist', async () => {
    await assert.rejects(loadConfig(dir, 'nope.ts', {}), /nope\.ts does not exist/);
  });
});
