// A folder as a zip, the form Lambda takes a function's code in. The same files as siteDigest
// (regular files, symlinks left out) so the code published is the code approved; entries sorted
// and stamped 1980-01-01 so the same files give the same bytes, hence the same CodeSha256 — and
// PublishVersion of unchanged code returns the version it already published.
import { crc32, deflateRawSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseFiles } from './digest.ts';

/** Plain zip (no zip64): 65,535 entries and 4 GiB, far past what Lambda takes directly. */
const MAX_ENTRIES = 0xffff;
const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const UNIX = 3 << 8;

interface Entry {
  name: Buffer;
  crc: number;
  size: number;
  data: Buffer;
  mode: number;
  offset: number;
}

export async function zipFolder(dir: string): Promise<Buffer> {
  const files = await releaseFiles(dir);
  if (files.length > MAX_ENTRIES)
    throw new Error(`${dir} has ${files.length} files; a zip holds at most ${MAX_ENTRIES}`);
  const parts: Buffer[] = [];
  const entries: Entry[] = [];
  let offset = 0;
  for (const file of files) {
    const raw = await readFile(join(dir, file));
    // Executables keep their bit; everything is readable by the runtime's user.
    const executable = ((await stat(join(dir, file))).mode & 0o111) !== 0;
    const entry: Entry = {
      name: Buffer.from(file, 'utf8'),
      crc: crc32(raw),
      size: raw.length,
      data: deflateRawSync(raw),
      mode: executable ? 0o100755 : 0o100644,
      offset,
    };
    const local = localHeader(entry);
    parts.push(local, entry.name, entry.data);
    offset += local.length + entry.name.length + entry.data.length;
    if (offset > 0xffffffff) throw new Error(`${dir} is over 4 GiB compressed; a zip without zip64 holds less`);
    entries.push(entry);
  }
  const central = entries.flatMap((entry) => [centralHeader(entry), entry.name]);
  const centralSize = central.reduce((sum, part) => sum + part.length, 0);
  return Buffer.concat([...parts, ...central, endOfCentralDirectory(entries.length, centralSize, offset)]);
}

function localHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(8, 8); // deflate
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(DOS_DATE_1980, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.data.length, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return header;
}

function centralHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(UNIX | 20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(8, 10);
  header.writeUInt16LE(0, 12);
  header.writeUInt16LE(DOS_DATE_1980, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.data.length, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // extra, comment, disk, internal attributes: 0
  header.writeUInt32LE((entry.mode << 16) >>> 0, 38);
  header.writeUInt32LE(entry.offset, 42);
  return header;
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}
