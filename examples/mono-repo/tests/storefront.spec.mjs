import { test, expect } from '@playwright/test';

test('shows the offer', { tag: '@web' }, async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#offer')).toHaveText('Tea, 4.50');
});

test('links to the checkout', { tag: ['@web', '@smoke'] }, async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page.getByRole('heading')).toHaveText('Checkout');
});
