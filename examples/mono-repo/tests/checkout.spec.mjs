import { test, expect } from '@playwright/test';

test('totals the quantity', { tag: '@checkout' }, async ({ page }) => {
  await page.goto('/checkout/');
  await page.getByLabel('Quantity').fill('3');
  await expect(page.locator('#total')).toHaveText('13.50');
});
