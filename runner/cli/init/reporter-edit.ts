// Adds uigate's reporter to a project's Playwright config, as text, keeping everything else as the
// user wrote it — or says it cannot. It reads just enough of JavaScript (strings, templates,
// comments, regular expressions, brackets) to find the config object and its `reporter` key at
// the top level; anything it does not recognise is left to the user, with the exact lines to add.

export const REPORTER = 'uigate/reporter';

export type ReporterEdit =
  { kind: 'unchanged' } | { kind: 'edited'; text: string; what: string } | { kind: 'manual'; why: string };

/** What to add by hand, when the config cannot be edited safely. */
export const MANUAL_LINES = `reporter: [
    [process.env.CI ? 'dot' : 'list'], // or the reporters you already use
    ['${REPORTER}'],
  ],`;

interface Span {
  start: number;
  end: number;
}

/** Positions of code (not strings, comments or regular expressions) and the bracket depth there. */
function scan(text: string): { code: boolean[]; depth: number[] } {
  const code: boolean[] = new Array(text.length).fill(false);
  const depth: number[] = new Array(text.length).fill(0);
  let level = 0;
  let lastSignificant = '';
  const templates: number[] = []; // bracket level at each `${`
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      lastSignificant = c;
      continue;
    }
    if (c === '`' || (c === '}' && templates.length && templates.at(-1) === level)) {
      if (c === '}') templates.pop();
      for (i++; i < text.length && text[i] !== '`'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '$' && text[i + 1] === '{') {
          templates.push(level);
          i++;
          break;
        }
      }
      lastSignificant = '`';
      continue;
    }
    // A regular expression starts where a value may start; a division follows a value.
    if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};'.includes(lastSignificant))) {
      let inClass = false;
      for (i++; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        else if (text[i] === '/' && !inClass) break;
      }
      lastSignificant = '/';
      continue;
    }
    if ('([{'.includes(c)) level++;
    code[i] = true;
    depth[i] = level;
    if (')]}'.includes(c)) level--;
    if (!/\s/.test(c)) lastSignificant = c;
  }
  return { code, depth };
}

/** Finds the `{ … }` of the config: defineConfig's argument, or the object exported or named by the export. */
function configObject(text: string, code: boolean[]): Span | undefined {
  const objectAfter = (from: number): Span | undefined => {
    let i = from;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] !== '{') return undefined;
    return { start: i, end: matching(text, code, i) };
  };
  const codeMatches = (pattern: RegExp) => [...text.matchAll(pattern)].filter((match) => code[match.index]);
  const defines = codeMatches(/\bdefineConfig\s*\(/g);
  if (defines.length === 1) return objectAfter(defines[0]!.index + defines[0]![0].length);
  if (defines.length > 1) return undefined;
  const direct = codeMatches(/\b(?:export\s+default|module\.exports\s*=)\s*/g);
  if (direct.length !== 1) return undefined;
  const object = objectAfter(direct[0]!.index + direct[0]![0].length);
  if (object) return object;
  const name = /^([A-Za-z_$][\w$]*)/.exec(text.slice(direct[0]!.index + direct[0]![0].length))?.[1];
  if (!name) return undefined;
  const declared = codeMatches(new RegExp(`\\b(?:const|let|var)\\s+${name}\\b[^=]*=\\s*`, 'g'));
  return declared.length === 1 ? objectAfter(declared[0]!.index + declared[0]![0].length) : undefined;
}

function matching(text: string, code: boolean[], open: number): number {
  let level = 0;
  for (let i = open; i < text.length; i++) {
    if (!code[i]) continue;
    if ('([{'.includes(text[i]!)) level++;
    if (')]}'.includes(text[i]!) && --level === 0) return i;
  }
  return -1;
}

/** Finds the value of the top-level `reporter:` key of the object, if there is one. */
function reporterValue(text: string, code: boolean[], depth: number[], object: Span): Span | 'absent' | 'unsure' {
  const inner = depth[object.start]!;
  const keys = [...text.slice(object.start, object.end).matchAll(/(?<![\w$.])(['"]?)reporter\1\s*:/g)]
    .map((match) => ({ at: object.start + match.index, length: match[0].length }))
    .filter(
      (key) =>
        code[key.at + key.length - 1] &&
        depth[key.at + key.length - 1] === inner &&
        isKeyPosition(text, code, key.at, object.start),
    );
  if (keys.length === 0) return text.slice(object.start, object.end).includes('...') ? 'unsure' : 'absent';
  if (keys.length > 1) return 'unsure';
  let start = keys[0]!.at + keys[0]!.length;
  while (/\s/.test(text[start]!)) start++;
  // The value runs to the comma or brace that ends the property, at the object's own depth.
  let end = start;
  for (; end < object.end; end++) {
    if (code[end] && depth[end] === inner && (text[end] === ',' || end === object.end)) break;
  }
  let last = end - 1;
  while (/\s/.test(text[last]!)) last--;
  return { start, end: last + 1 };
}

/** Tells whether a `reporter` found at this position is a property name (after `{` or `,`), not part of a value. */
function isKeyPosition(text: string, code: boolean[], at: number, objectStart: number): boolean {
  for (let i = at - 1; i >= objectStart; i--) {
    if (/\s/.test(text[i]!)) continue;
    if (!code[i]) return true; // a comment before the key
    return text[i] === ',' || text[i] === '{';
  }
  return false;
}

/** Adds uigate's reporter to the config's `reporter`, keeping the reporters it has. */
export function addReporter(text: string): ReporterEdit {
  if (text.includes(`'${REPORTER}'`) || text.includes(`"${REPORTER}"`)) return { kind: 'unchanged' };
  const { code, depth } = scan(text);
  const object = configObject(text, code);
  if (!object || object.end < 0)
    return { kind: 'manual', why: 'no single config object was found (defineConfig({ … }) or export default { … })' };
  const value = reporterValue(text, code, depth, object);
  if (value === 'unsure')
    return { kind: 'manual', why: 'its reporter setting could not be told apart (a spread, or more than one)' };
  if (value === 'absent') {
    // Playwright's default reporter is `list`, and `dot` on CI: kept as it was.
    const indent = /\n([ \t]+)\S/.exec(text.slice(object.start))?.[1] ?? '  ';
    const line = `\n${indent}reporter: [[process.env.CI ? 'dot' : 'list'], ['${REPORTER}']],`;
    return {
      kind: 'edited',
      text: text.slice(0, object.start + 1) + line + text.slice(object.start + 1),
      what: `added reporter: [[process.env.CI ? 'dot' : 'list'], ['${REPORTER}']] (Playwright's default, and uigate's)`,
    };
  }
  const source = text.slice(value.start, value.end);
  if (/^(['"])[^'"\\]*\1$/.test(source)) {
    const replaced = `[[${source}], ['${REPORTER}']]`;
    return {
      kind: 'edited',
      text: text.slice(0, value.start) + replaced + text.slice(value.end),
      what: `reporter ${source} → ${replaced}`,
    };
  }
  if (source.startsWith('[') && matching(text, code, value.start) === value.end - 1) {
    let before = value.end - 2;
    while (/\s/.test(text[before]!)) before--;
    const empty = before === value.start;
    const comma = empty || text[before] === ',' ? '' : ',';
    const multiline = text.slice(value.start, value.end).includes('\n');
    const indent = multiline ? (/\n([ \t]+)[^\s\]]/.exec(source)?.[1] ?? '    ') : '';
    const addition = multiline ? `${comma}\n${indent}['${REPORTER}'],` : `${comma}${empty ? '' : ' '}['${REPORTER}']`;
    return {
      kind: 'edited',
      text: text.slice(0, before + 1) + addition + text.slice(before + 1),
      what: `added ['${REPORTER}'] to the reporter list`,
    };
  }
  return {
    kind: 'manual',
    why: `its reporter is an expression (${source.length > 60 ? `${source.slice(0, 57)}...` : source})`,
  };
}
