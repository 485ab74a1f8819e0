// A handler that only unpacks Lambda's Chromium as the real handler does, and says where: for
// testing that each local execution environment has a /tmp of its own.
import { tmpdir } from 'node:os';
import { unpackChromium } from '../lambda/chromium.ts';

export async function handler() {
  const { default: chromium } = await import('@sparticuz/chromium');
  return { tmp: tmpdir(), executablePath: await unpackChromium(() => chromium.executablePath()) };
}
