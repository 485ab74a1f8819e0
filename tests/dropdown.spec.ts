import { expect, test } from './fixtures.ts';

test.describe('Dropdown', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/dropdown.html');
  });

  test('shows the chosen region', async ({ page }) => {
    await page.getByLabel('Region').selectOption('eu-west-1');
    await expect(page.getByTestId('dropdown-result')).toHaveText('You chose Europe (Ireland)');
  });

  test('goes back to no region', async ({ page }) => {
    const region = page.getByLabel('Region');
    await region.selectOption({ label: 'Asia Pacific (Sydney)' });
    await expect(page.getByTestId('dropdown-result')).toHaveText('You chose Asia Pacific (Sydney)');
    await region.selectOption('');
    await expect(page.getByTestId('dropdown-result')).toHaveText('No region chosen');
  });
});
