import pg from "pg";

// bench:search's floor: PostgreSQL's own execution time for exactly the statements one request
// sent (captured with their arguments at the driver adapter), by EXPLAIN (ANALYZE, FORMAT JSON).
// Only reads are explained — EXPLAIN ANALYZE executes its statement.

export interface Captured {
  sql: string;
  args: unknown[];
}

export interface Floor {
  /** Sum over the request's statements of EXPLAIN ANALYZE's Execution Time, ms (median of `runs`). */
  ms: number;
  statements: number;
  /** Each statement's scans, slowest first (e.g. "Bitmap Index Scan (contact_normalized_trgm_idx), Index Scan on customer (customer_pkey)"). */
  scans: string[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

// Admin authentication's credential read (cached for a second, so only some requests send it) is
// not part of the search.
const isRead = (sql: string) =>
  /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql) && !/\badmin_credential\b/.test(sql);

function nodes(plan: PlanNode): string[] {
  const on = plan["Relation Name"] ? ` on ${plan["Relation Name"]}${plan["Index Name"] ? ` (${plan["Index Name"]})` : ""}` : "";
  const own = plan["Index Name"] && !plan["Relation Name"] ? `${plan["Node Type"]} (${plan["Index Name"]})` : `${plan["Node Type"]}${on}`;
  return [own, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Explains every read of `queries` `runs` times; the floor is the median of the per-run sums. */
export async function floor(url: string, queries: Captured[], runs = 5): Promise<Floor> {
  const reads = queries.filter((q) => isRead(q.sql));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sums: number[] = [];
    const last: { ms: number; scans: string }[] = [];
    for (let run = 0; run < runs; run++) {
      let sum = 0;
      for (const q of reads) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`, q.args);
        const [{ Plan, "Execution Time": ms }] = rows[0]["QUERY PLAN"] as { Plan: PlanNode; "Execution Time": number }[];
        sum += ms;
        if (run === runs - 1) last.push({ ms, scans: [...new Set(nodes(Plan).filter((n) => n.includes("Scan")))].join(", ") });
      }
      sums.push(sum);
    }
    sums.sort((a, b) => a - b);
    last.sort((a, b) => b.ms - a.ms);
    return { ms: sums[Math.floor(runs / 2)], statements: reads.length, scans: last.map((s) => `${s.ms.toFixed(2)} ms: ${s.scans}`) };
  } finally {
    await client.end();
  }
}
