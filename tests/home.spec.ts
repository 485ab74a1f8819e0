import { expect, test } from './fixtures.ts';

test.describe('Home', () => {
  test('lists every page', { tag: '@smoke' }, async ({ page }) => {
    await page.goto('/');
    const pages = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
    await expect(pages).toHaveText(['Button click', 'Check boxes', 'Dropdown', 'Images', 'Key press']);
  });

  test('navigates to a page and back home', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Dropdown' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dropdown');
    await page.getByRole('link', { name: 'uigate sample site' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Home');
  });
});
