import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openPageProbe, unpacked } from './chromium.ts';
import { EnvironmentPool } from './environments.ts';
import { REPO } from '../testing/fixture-project.ts';

const UNPACK = fileURLToPath(new URL('../testing/chromium-unpack-handler.ts', import.meta.url));

describe("proving Lambda's Chromium can open a page before any test runs", () => {
  it('says which step hung, and closes the browser it launched', async () => {
    let closed = false;
    const hanging = async () => ({
      newPage: () => new Promise<never>(() => {}),
      close: async () => void (closed = true),
      version: () => '1',
    });
    await assert.rejects(openPageProbe(hanging, 50), /Chromium newPage did not answer within 0.05 s/);
    assert.ok(closed);
    await assert.rejects(
      openPageProbe(() => new Promise<never>(() => {}), 50),
      /Chromium launch did not answer/,
    );
  });

  it('passes a browser that opens and closes a page', async () => {
    let pages = 0;
    const working = async () => ({
      newPage: async () => ({ close: async () => void pages++ }),
      close: async () => {},
      version: () => '148.0.7778.0',
    });
    assert.equal(await openPageProbe(working, 1_000), '148.0.7778.0');
    assert.equal(pages, 1);
  });
});

describe("unpacking Lambda's Chromium", () => {
  it('gives each execution environment its own /tmp: two first invocations at once each start a whole Chromium', async () => {
    // A fresh machine: nothing unpacked anywhere the environments could share.
    const fresh = await mkdtemp(join(tmpdir(), 'uigate-fresh-tmp-'));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = fresh;
    const pool = new EnvironmentPool({
      functionName: 'uigate-executor',
      timeoutSeconds: 120,
      taskRoot: REPO,
      handlerModule: UNPACK,
    });
    try {
      const outcomes = await Promise.all([pool.invoke('{}', 'one'), pool.invoke('{}', 'two')]);
      const results = outcomes.map((outcome) => {
        assert.equal(outcome.crashed, undefined);
        assert.equal(outcome.reply.error, undefined, outcome.reply.error?.errorMessage);
        return outcome.reply.result as { tmp: string; executablePath: string };
      });
      assert.notEqual(results[0]!.tmp, results[1]!.tmp);
      for (const { tmp, executablePath } of results) {
        assert.ok(tmp.startsWith(fresh), `${tmp} is under the machine's TMPDIR`);
        assert.equal(executablePath, join(tmp, 'chromium'));
        // The binary each one got is whole: it runs.
        assert.match(execFileSync(executablePath, ['--version'], { encoding: 'utf8' }), /Chromium/);
      }
      // A third environment, started once one unpack was finished and shared: the same bytes,
      // hard-linked into its own /tmp rather than unpacked again.
      const more = await Promise.all(['three', 'four', 'five'].map((id) => pool.invoke('{}', id)));
      const third = more
        .map((outcome) => outcome.reply.result as { tmp: string; executablePath: string })
        .find((result) => !results.some((earlier) => earlier.tmp === result.tmp))!;
      assert.ok(third, 'a new environment was started');
      const [shared] = (await readdir(fresh)).filter((name) => name.startsWith('uigate-lambda-chromium-'));
      const [build] = await readdir(join(fresh, shared!));
      const cached = await stat(join(fresh, shared!, build!, 'chromium'));
      const linked = await stat(third.executablePath);
      assert.equal(linked.ino, cached.ino);
      assert.match(execFileSync(third.executablePath, ['--version'], { encoding: 'utf8' }), /Chromium/);
    } finally {
      pool.closeAll();
      process.env.TMPDIR = previous;
      if (previous === undefined) delete process.env.TMPDIR;
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('never reuses a binary an unpack left half-written, and reuses a whole one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-unpack-'));
    try {
      await writeFile(join(dir, 'chromium'), 'half');
      let unpacks = 0;
      const unpack = async () => {
        unpacks++;
        // As @sparticuz/chromium does: a file already there is taken as unpacked.
        const path = join(dir, 'chromium');
        const there = await stat(path).then(
          () => true,
          () => false,
        );
        if (!there) await writeFile(path, 'whole');
        return path;
      };
      await unpacked(unpack, dir);
      assert.equal(await readFile(join(dir, 'chromium'), 'utf8'), 'whole');
      await writeFile(join(dir, 'chromium'), 'whole, kept');
      await unpacked(unpack, dir);
      assert.equal(await readFile(join(dir, 'chromium'), 'utf8'), 'whole, kept', 'a finished unpack is reused');
      assert.equal(unpacks, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
