// Test helper: cfn-lint, CloudFormation's own linter (its resource specifications and rules), on a
// template the tests synthesized — what CloudFormation would refuse or warn about before a deploy.
// Where cfn-lint is not installed (a user's machine) the check is skipped with one line; in CI
// (CI=true) its absence fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { recordOracle } from './oracles.ts';

export interface LintFinding {
  /** The name the template was given. */
  template: string;
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  message: string;
  /** The resource or section, e.g. Resources/SiteBucket/Properties. */
  path: string;
}

const INSTALL = 'cfn-lint (pip install cfn-lint)';
let present: boolean | undefined;

/** Why templates cannot be linted here, or undefined when they can; throws in CI. */
export function cfnLintMissing(): string | undefined {
  present ??= spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
  recordOracle('cfn-lint', present);
  if (present) return undefined;
  const reason = `cfn-lint is not installed: install ${INSTALL}`;
  if (process.env.CI) throw new Error(`${reason} — CI requires it`);
  process.stderr.write(`skipped: cfn-lint on synthesized templates (${reason})\n`);
  return reason;
}

/**
 * cfn-lint's findings on templates, named (one run for them all: cfn-lint takes seconds to start),
 * in the region given: its specifications differ by region only in which resource types exist.
 */
export function cfnLint(templates: Record<string, unknown>, region = 'us-east-1'): LintFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'uigate-cfn-lint-'));
  try {
    const files = Object.entries(templates).map(([name, template]) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', region, '--', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // Exit codes are a bit field of the levels found (2 errors, 4 warnings, 8 informational); 1 is its own failure.
    if (run.status === 1 || run.error) throw new Error(`cfn-lint failed: ${run.error?.message ?? run.stderr}`);
    const found = JSON.parse(run.stdout || '[]') as {
      Filename: string;
      Rule: { Id: string };
      Level: LintFinding['level'];
      Message: string;
      Location: { Path?: (string | number)[] };
    }[];
    return found.map((f) => ({
      template: basename(f.Filename, '.json'),
      rule: f.Rule.Id,
      level: f.Level,
      message: f.Message,
      path: (f.Location.Path ?? []).slice(0, 3).join('/'),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
