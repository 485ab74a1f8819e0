import { expect, test } from './fixtures.ts';

// A fixed list, so every run presses the same keys (the original sample picked one at random).
const KEYS = ['a', 'Z', '7', 'Enter', 'Tab', 'Escape', 'ArrowLeft', 'Backspace', 'Shift', 'Space'];

test.describe('Key press', () => {
  test('echoes each key of a fixed list', async ({ page }) => {
    // Thirty round trips to the browser: Firefox over WebDriver BiDi on a loaded two-core machine
    // took 31 s of the default 30 (while Chromium took 3).
    test.slow();
    await page.goto('/keypress.html');
    const result = page.getByTestId('key-result');
    await expect(result).toHaveText('No key pressed yet');
    for (const key of KEYS) {
      await page.getByLabel('Type here').focus();
      await page.keyboard.press(key);
      await expect(result).toHaveText(`You entered: ${key === 'Space' ? ' ' : key}`);
    }
  });
});
