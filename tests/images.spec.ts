import { expect, test } from './fixtures.ts';

const loaded = (img: HTMLImageElement) => img.complete && img.naturalWidth > 0;

test.describe('Images', () => {
  test('present images load', async ({ page }) => {
    await page.goto('/images.html');
    for (const name of ['Blue square', 'Orange circle']) {
      await expect.poll(() => page.getByRole('img', { name }).evaluate(loaded)).toBe(true);
    }
  });

  test('the missing image fails to load', async ({ page }) => {
    const missing = page.waitForResponse((response) => response.url().endsWith('/images/missing.png'));
    await page.goto('/images.html');
    expect((await missing).status()).toBe(404);
    const image = page.getByRole('img', { name: 'Missing picture' });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete)).toBe(true);
    expect(await image.evaluate(loaded)).toBe(false);
  });
});
