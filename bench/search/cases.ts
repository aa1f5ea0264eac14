import pg from "pg";

// bench:search's queries: each a GraphQL request on the contract of issue 11's filter language,
// with the answer it must give, computed here with plain SQL on the seeded rows — so that a
// broken query (empty, unfiltered, wrong tenant) fails the run instead of looking fast.

export type Data = Record<string, unknown>;
export interface Case {
  label: string;
  /** The goal on p95, ms (issue 11), if the issue sets one. */
  goalMs?: number;
  /** The goal relative to another case (by label): p50 within 1.5× of its p50. */
  baseline?: string;
  query: string;
  variables: (i: number) => Record<string, unknown>;
  check: (data: Data, i: number) => void;
}

const NODE = "id firstName lastName primaryEmail createdAt";
/** Only the cursors: what walking to a deep page needs. */
export const WALK_QUERY = `query ($orderBy: CustomerOrder, $first: Int, $after: String) {
  customers(orderBy: $orderBy, first: $first, after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } }`;
export const PAGE_QUERY = `query ($filter: CustomerFilter, $orderBy: CustomerOrder, $first: Int, $after: String) {
  customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { ${NODE} } } pageInfo { endCursor hasNextPage } } }`;
const COUNT_QUERY = `query ($filter: CustomerFilter) { customers(filter: $filter, first: 1) { totalCount edges { node { id } } } }`;
export const SEGMENT_QUERY = `query ($id: ID!) { segment(id: $id) { customers(first: 20) { edges { node { ${NODE} } } } } }`;
export const CREATE_SEGMENT = `mutation ($input: SegmentInput!) {
  createSegment(input: $input) { __typename ... on CreateSegmentPayload { segment { id } } ... on Error { code message } } }`;

export const PAGE = 20;
const gold = { customFields: [{ key: "plan", equals: "gold" }] };
export const SEGMENT_FILTER = { and: [gold, { email: { verified: true } }, { consent: { purpose: "marketing", granted: true } }] };

export interface Edge {
  cursor: string;
  node: { id: string };
}
export interface Page {
  edges: Edge[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  totalCount?: number;
}
export const customersOf = (data: Data) => data.customers as Page;
export const localId = (globalId: string) =>
  Buffer.from(globalId, "base64")
    .toString()
    .replace(/^Customer:/, "");

export function check(ok: boolean, what: string, detail: unknown): asserts ok {
  if (!ok) throw new Error(`implausible answer for ${what}: ${JSON.stringify(detail).slice(0, 600)}`);
}

/** `count` edges, all distinct (a page of the matches, however the query orders them). */
function pageOf(label: string, expected: number) {
  return (data: Data) => {
    const edges = customersOf(data).edges;
    check(edges.length === Math.min(PAGE, expected) && new Set(edges.map((e) => e.node.id)).size === edges.length, label, {
      expected,
      got: edges.length,
    });
  };
}

/** The filtered cases, each with its expected answer from plain SQL on the bench tenant. */
export async function filterCases(url: string, tenantId: string, segmentId: string): Promise<Case[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (where: string) =>
      (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer c WHERE c.tenant_id = $1 AND ${where}`, [tenantId]))
        .rows[0].n;
    // 200 customers picked at random with their primary email, and 200 with their phone.
    const sample = async (kind: string) =>
      (
        await client.query<{ id: string; value: string }>(
          `SELECT customer_id AS id, normalized AS value FROM contact WHERE tenant_id = $1 AND kind = $2 AND "primary" ORDER BY md5(id::text) LIMIT 200`,
          [tenantId, kind],
        )
      ).rows;
    const emails = await sample("EMAIL");
    const phones = await sample("PHONE");
    const exact = (label: string, rows: { id: string }[]) => (data: Data, i: number) => {
      const edges = customersOf(data).edges;
      check(edges.length === 1 && localId(edges[0].node.id) === rows[i % rows.length].id, label, edges);
    };
    const hasEmail = (cond: string) => `EXISTS (SELECT 1 FROM contact k WHERE k.customer_id = c.id AND k.kind = 'EMAIL' AND ${cond})`;
    // A rare substring too (one customer's whole local part, e.g. "mary.perkins4711"): a plan that
    // walks the list until 20 match is fast for a common term and reads everything for a rare one.
    const rare = emails[7].value.split("@")[0];
    const n = {
      name: await count(`c.name_search LIKE '%ander%'`),
      email: await count(hasEmail(`k.normalized LIKE '%smith%'`)),
      rare: await count(hasEmail(`k.normalized LIKE '%${rare}%'`)),
      gold: await count(`c.custom_fields->>'plan' = 'gold'`),
      seats: await count(`(c.custom_fields->'seats')::int >= 100 AND (c.custom_fields->'seats')::int < 110`),
      segment: await count(
        `c.custom_fields->>'plan' = 'gold' AND ${hasEmail("k.verified")} AND
         EXISTS (SELECT 1 FROM consent g WHERE g.customer_id = c.id AND g.purpose = 'marketing' AND g.revoked_at IS NULL)`,
      ),
    };
    for (const [what, matches] of Object.entries(n)) check(matches > 0, `the seed (${what})`, n);
    const page = (filter: (i: number) => unknown) => (i: number) => ({ filter: filter(i), first: PAGE });
    return [
      {
        label: "exact email",
        goalMs: 2,
        query: PAGE_QUERY,
        variables: page((i) => ({ email: { equals: emails[i % emails.length].value } })),
        check: exact("exact email", emails),
      },
      {
        label: "exact phone",
        goalMs: 2,
        query: PAGE_QUERY,
        variables: page((i) => ({ phone: { equals: phones[i % phones.length].value } })),
        check: exact("exact phone", phones),
      },
      {
        label: `name contains "ander" (${n.name} matches)`,
        goalMs: 30,
        query: PAGE_QUERY,
        variables: page(() => ({ name: { contains: "ander" } })),
        check: pageOf("name contains", n.name),
      },
      {
        label: `email contains "smith" (${n.email} matches)`,
        goalMs: 30,
        query: PAGE_QUERY,
        variables: page(() => ({ email: { contains: "smith" } })),
        check: pageOf("email contains", n.email),
      },
      {
        label: `email contains "${rare}" (${n.rare} matches)`,
        goalMs: 30,
        query: PAGE_QUERY,
        variables: page(() => ({ email: { contains: rare } })),
        check: pageOf("email contains (rare)", n.rare),
      },
      {
        label: `custom field plan = "gold" (${n.gold} matches)`,
        goalMs: 10,
        query: PAGE_QUERY,
        variables: page(() => gold),
        check: pageOf("custom-field equality", n.gold),
      },
      {
        label: `custom field 100 ≤ seats < 110 (${n.seats} matches)`,
        goalMs: 30,
        query: PAGE_QUERY,
        variables: page(() => ({ customFields: [{ key: "seats", gte: 100, lt: 110 }] })),
        check: pageOf("custom-field range", n.seats),
      },
      {
        label: "or: exact email or exact phone",
        query: PAGE_QUERY,
        variables: page((i) => ({ or: [{ email: { equals: emails[i % 200].value } }, { phone: { equals: phones[i % 200].value } }] })),
        check: (data, i) => {
          const got = new Set(customersOf(data).edges.map((e) => localId(e.node.id)));
          const want = new Set([emails[i % 200].id, phones[i % 200].id]);
          check(got.size === want.size && [...want].every((id) => got.has(id)), "or", { got: [...got], want: [...want] });
        },
      },
      {
        label: `segment of 3 conditions, first 20 (${n.segment} matches)`,
        query: SEGMENT_QUERY,
        variables: () => ({ id: segmentId }),
        check: (data) => pageOf("segment", n.segment)((data.segment ?? {}) as Data),
      },
      {
        label: `totalCount of plan = "gold" (${n.gold}, ${((100 * n.gold) / (await count("true"))).toFixed(1)} %)`,
        query: COUNT_QUERY,
        variables: () => ({ filter: gold }),
        check: (data) =>
          check(customersOf(data).totalCount === n.gold, "totalCount", { expected: n.gold, got: customersOf(data).totalCount }),
      },
    ];
  } finally {
    await client.end();
  }
}
