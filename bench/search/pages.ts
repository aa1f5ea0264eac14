import pg from "pg";
import { check, customersOf, PAGE, PAGE_QUERY, WALK_QUERY, type Case, type Data } from "./cases.ts";

// bench:search's deep pagination: page 2 and page `depth` (10,000 at a million customers) of a
// sorted list, which keyset cursors must serve equally fast. The deep page's cursor is a real one
// the API handed out: reached by walking (pages of 100, the maximum, then of 20), whatever the
// cursor's encoding. Each page is checked against plain SQL's OFFSET on the sort key's values —
// a multiset, so the check holds whatever tie-breaker the product uses.

type Post = (query: string, variables: Record<string, unknown>) => Promise<Data>;
const SORTS = [
  { field: "CREATED_AT", direction: "DESC", column: "created_at", node: "createdAt" },
  { field: "LAST_NAME", direction: "ASC", column: "last_name", node: "lastName" },
] as const;

/** The page number to measure deep: 10,000 when there are a million customers, proportionally fewer below. */
export const deepPage = (customers: number) => Math.max(3, Math.min(10_000, Math.floor((0.2 * customers) / PAGE)));

const sortKey = (value: unknown) =>
  value instanceof Date ? value.getTime() : typeof value === "string" && /^\d{4}-/.test(value) ? Date.parse(value) : value;
const sorted = (xs: unknown[]) => xs.map((x) => String(sortKey(x))).sort();

/** Walks to the cursor that ends page `page - 1` of `orderBy` (its `after` for page `page`). */
async function cursorBefore(post: Post, orderBy: unknown, page: number): Promise<string | null> {
  let rows = (page - 1) * PAGE;
  let after: string | null = null;
  while (rows > 0) {
    const first = rows >= 100 ? 100 : PAGE;
    const data = await post(WALK_QUERY, { orderBy, first, after });
    const { pageInfo, edges } = customersOf(data);
    check(edges.length === first && pageInfo.endCursor !== null, "walking the pages", pageInfo);
    after = pageInfo.endCursor;
    rows -= first;
  }
  return after;
}

export async function pageCases(post: Post, url: string, tenantId: string, customers: number): Promise<Case[]> {
  const deep = deepPage(customers);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cases: Case[] = [];
    for (const sort of SORTS) {
      const orderBy = { field: sort.field, direction: sort.direction };
      const label = (page: number) => `page ${page.toLocaleString("en")} of ${sort.field} ${sort.direction}`;
      for (const page of [2, deep]) {
        const started = performance.now();
        const after = await cursorBefore(post, orderBy, page);
        const walked = ((performance.now() - started) / 1000).toFixed(1);
        const { rows } = await client.query(
          `SELECT ${sort.column} AS key FROM customer WHERE tenant_id = $1 ORDER BY ${sort.column} ${sort.direction}, id ${sort.direction} OFFSET $2 LIMIT $3`,
          [tenantId, (page - 1) * PAGE, PAGE],
        );
        const want = sorted(rows.map((r) => r.key));
        console.log(`  cursor for ${label(page)}: ${walked} s`);
        cases.push({
          label: label(page),
          baseline: page === 2 ? undefined : label(2),
          query: PAGE_QUERY,
          variables: () => ({ orderBy, first: PAGE, after }),
          check: (data) => {
            const got = sorted(customersOf(data).edges.map((e) => (e.node as unknown as Record<string, unknown>)[sort.node]));
            check(got.join() === want.join(), label(page), { got, want });
          },
        });
      }
    }
    return cases;
  } finally {
    await client.end();
  }
}
