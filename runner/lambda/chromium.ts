// The Lambda build of Chromium (@sparticuz/chromium): unpacked into /tmp on first use, reused
// while the container stays warm.
const UNFAITHFUL = new Set(['--disable-web-security', '--allow-running-insecure-content']);
/** One process cannot open a second browser context, and Playwright opens one per test. */
const BREAKS_PLAYWRIGHT = new Set(['--single-process']);

let resolved: Promise<{ executablePath: string; args: string[] }> | undefined;

export function lambdaChromium() {
  resolved ??= (async () => {
    const { default: chromium } = await import('@sparticuz/chromium');
    // No GPU in Lambda; SwiftShader would only cost start-up time.
    chromium.setGraphicsMode = false;
    // Tests should see the site as users do: keep CORS and mixed-content rules on.
    const args = chromium.args.filter((arg) => !UNFAITHFUL.has(arg) && !BREAKS_PLAYWRIGHT.has(arg));
    return { executablePath: await chromium.executablePath(), args };
  })().catch((error: unknown) => {
    resolved = undefined;
    throw error;
  });
  return resolved;
}
