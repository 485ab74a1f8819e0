import { expect, test } from './fixtures.ts';

test.describe('Button click', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/button.html');
  });

  test('shows a text when clicked', { tag: '@smoke' }, async ({ page }) => {
    await expect(page.getByTestId('button-result')).toBeEmpty();
    await page.getByRole('button', { name: 'Show text' }).click();
    await expect(page.getByTestId('button-result')).toHaveText('Button was clicked');
  });

  test('reset clears the text', async ({ page }) => {
    await page.getByRole('button', { name: 'Show text' }).click();
    await expect(page.getByTestId('button-result')).toHaveText('Button was clicked');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(page.getByTestId('button-result')).toBeEmpty();
  });
});
