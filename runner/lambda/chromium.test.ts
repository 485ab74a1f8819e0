import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPageProbe } from './chromium.ts';

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
