// A folder of files for a release, written for a test: `{ 'index.html': '…', 'assets/app.js': '…' }`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function releaseFolder(dir: string, files: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
