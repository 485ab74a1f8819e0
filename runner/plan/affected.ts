// Which components a change touched, and whether it means the whole suite: changed files matched
// against each component's paths and the global files. Pure; git's part is config/git-changes.ts.
import picomatch from 'picomatch';
import type { ChangeRules, Components } from '../config/components.ts';

export interface Affected {
  components: string[];
  wholeSuite: boolean;
  /** Why the whole suite, or why nothing, in one line. */
  reason: string;
}

const matcher = (globs: readonly string[]) => picomatch([...globs], { dot: true });

export function affectedBy(files: readonly string[], components: Components, changes: ChangeRules): Affected {
  const isGlobal = matcher(changes.global);
  const owners = Object.entries(components).map(([name, component]) => [name, matcher(component.paths)] as const);
  const touched = new Set<string>();
  const unmapped: string[] = [];
  for (const file of files) {
    if (isGlobal(file))
      return { components: Object.keys(components), wholeSuite: true, reason: `${file} changed: whole suite` };
    const owned = owners.filter(([, owns]) => owns(file)).map(([name]) => name);
    if (owned.length === 0) unmapped.push(file);
    for (const name of owned) touched.add(name);
  }
  if (unmapped.length && changes.unmapped === 'all')
    return {
      components: Object.keys(components),
      wholeSuite: true,
      reason: `${unmapped[0]}${unmapped.length > 1 ? ` and ${unmapped.length - 1} more` : ''} belong${unmapped.length > 1 ? '' : 's'} to no component: whole suite (changes.unmapped: 'all')`,
    };
  const names = Object.keys(components).filter((name) => touched.has(name));
  return {
    components: names,
    wholeSuite: false,
    reason: names.length
      ? `${names.join(', ')} changed`
      : files.length
        ? 'no component changed (changes.unmapped: ignore)'
        : 'nothing changed',
  };
}
