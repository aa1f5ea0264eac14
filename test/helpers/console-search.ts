import type { Page } from "playwright-core";

// Driving the console's account search (console/src/accounts/search/) from a browser test.

/** Adds a builder row: field, operator, and a value (typed, or chosen when the value is a list). */
export async function addCondition(page: Page, field: string, operator: string, value?: { fill: string } | { choose: string }) {
  await page.getByRole("button", { name: "Add condition" }).click();
  const n = await page.locator(".condition").count();
  await page.getByLabel(`Condition ${n} field`).selectOption({ label: field });
  await page.getByLabel(`Condition ${n} operator`).selectOption({ label: operator });
  if (value && "fill" in value) await page.getByLabel(`Condition ${n} value`).fill(value.fill);
  if (value && "choose" in value) await page.getByLabel(`Condition ${n} value`).selectOption({ label: value.choose });
}

export async function clearConditions(page: Page) {
  while ((await page.locator(".condition").count()) > 0) await page.getByRole("button", { name: "Remove condition 1" }).click();
}

/** The names in the account list, top to bottom. */
export const names = (page: Page) => page.locator("table.accounts tbody tr td:nth-child(2)").allInnerTexts();
export const search = (page: Page) => page.getByRole("button", { name: "Search", exact: true }).click();
