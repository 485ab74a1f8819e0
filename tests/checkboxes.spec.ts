import { expect, test } from './fixtures.ts';

test.describe('Check boxes', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/checkboxes.html');
  });

  test('starts with only olives checked', async ({ page }) => {
    await expect(page.getByRole('checkbox', { name: 'Olives' })).toBeChecked();
    await expect(page.getByRole('checkbox', { name: 'Cheese' })).not.toBeChecked();
    await expect(page.getByTestId('checked-count')).toHaveText('Selected: olives');
  });

  test('checks and unchecks boxes', async ({ page }) => {
    await page.getByRole('checkbox', { name: 'Cheese' }).check();
    await page.getByRole('checkbox', { name: 'Peppers' }).check();
    await expect(page.getByTestId('checked-count')).toHaveText('Selected: cheese, olives, peppers');
    for (const name of ['Cheese', 'Olives', 'Peppers']) await page.getByRole('checkbox', { name }).uncheck();
    await expect(page.getByTestId('checked-count')).toHaveText('Nothing selected');
  });
});
