// A handler that only brings up Lambda's Chromium as the real handler does — unpacked (or linked
// from another environment's finished unpack), launched, a page opened — and says where: for
// testing that each local execution environment has a /tmp of its own and a Chromium that starts.
import { tmpdir } from 'node:os';
import { lambdaChromium } from '../lambda/chromium.ts';

export async function handler() {
  const { executablePath, version } = await lambdaChromium();
  return { tmp: tmpdir(), executablePath, version };
}
