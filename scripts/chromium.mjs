// Headless Chromium for the browser test runner, the browser example's end-to-end test and the
// browser benchmark: where it is (/usr/bin/chromium, or $CHROMIUM_PATH) and how it is launched
// (playwright-core, no sandbox, no background network).
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium at `executablePath` with playwright-core; `extraArgs` are added to the
 * command line (e.g. the fake camera flags of the example's camera test).
 */
export async function launchChromium(executablePath = chromiumPath, extraArgs = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}
