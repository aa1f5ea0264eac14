// CPU profiles of benchmark cases, and where their time goes by package. `npm run bench:cpu`
// profiles the gateway side of each bench:profile case with V8's sampling profiler (through
// node:inspector, in-process), writes bench/profiles/<case>.cpuprofile (open it in Chrome DevTools
// or speedscope) and prints self and inclusive time per package. The profiler costs throughput
// itself, so req/s measured while profiling are not recorded anywhere.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { Profiler, Runtime } from "node:inspector";

/** Packages grouped the way the speed work talks about them; anything else keeps its own name. */
const GROUPS: [RegExp, string][] = [
  [/^@prisma\/adapter-pg$/, "Prisma pg adapter"],
  [/^(@prisma\/|prisma$|pglite-prisma-adapter$)/, "Prisma client (JS runtime)"],
  [/^@pothos\//, "Pothos (+ prisma plugin)"],
  [/^(graphql|@graphql-tools\/.*)$/, "graphql-js + @graphql-tools executor"],
  [/^(graphql-yoga|@graphql-yoga\/.*|@envelop\/.*|@escape.tech\/graphql-armor.*)$/, "yoga + envelop plugins"],
  [/^@whatwg-node\//, "@whatwg-node (Request/Response)"],
  [/^(pg|pg-protocol|pg-pool|pg-types|pgpass|pg-connection-string)$/, "pg"],
  [/^jose$/, "jose"],
];

/** Which package (or bucket) a stack frame belongs to. */
export function packageOf(frame: Runtime.CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(V8 / native)";
  if (url.startsWith("wasm://")) return "Prisma query compiler (WASM)";
  const inModules = url.lastIndexOf("/node_modules/");
  if (inModules >= 0) {
    const parts = url.slice(inModules + "/node_modules/".length).split("/");
    const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
    return GROUPS.find(([pattern]) => pattern.test(name))?.[1] ?? name;
  }
  if (url.startsWith("node:") || !url.includes("/")) return "Node.js internals";
  if (url.includes("/src/")) return "gateway src/";
  return "other (bench, test)";
}

export interface PackageTime {
  name: string;
  /** Share of all samples whose innermost frame is in this package. */
  self: number;
  /** Share of all samples with at least one frame of this package on the stack. */
  inclusive: number;
}

/** Self and inclusive shares per package, largest self first; `(idle)` samples are left out. */
export function breakdown(profile: Profiler.Profile): PackageTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const sample of profile.samples ?? []) {
    const leaf = byId.get(sample)!;
    if (leaf.callFrame.functionName === "(idle)") continue;
    total++;
    const own = packageOf(leaf.callFrame);
    self.set(own, (self.get(own) ?? 0) + 1);
    const onStack = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) onStack.add(packageOf(byId.get(id)!.callFrame));
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
  return [...inclusive.keys()]
    .filter((name) => name !== "(root)")
    .map((name) => ({ name, self: (self.get(name) ?? 0) / total, inclusive: inclusive.get(name)! / total }))
    .sort((a, b) => b.self - a.self);
}

/** Runs `work` under V8's sampling profiler (every `intervalMicros`) and returns the profile. */
export async function profiled<T>(work: () => Promise<T>, intervalMicros = 1000): Promise<{ result: T; profile: Profiler.Profile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: intervalMicros });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Writes the profile to bench/profiles/<name>.cpuprofile and returns the path. */
export function saveProfile(name: string, profile: Profiler.Profile): string {
  const dir = new URL("profiles/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.cpuprofile`, dir);
  writeFileSync(file, JSON.stringify(profile));
  return file.pathname;
}

const UNDER_EVERYTHING = new Set(["Node.js internals", "(V8 / native)", "other (bench, test)"]);

/** The breakdown as a Markdown table (shares in %). */
export function breakdownTable(rows: PackageTime[], atLeast = 0.005): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    "| package | self | inclusive |",
    "| --- | ---: | ---: |",
    ...rows
      .filter((r) => r.self >= atLeast || r.inclusive >= 0.05)
      // Node's and V8's frames sit under every stack (event loop, promise jobs): their inclusive share says nothing.
      .map((r) => `| ${r.name} | ${pct(r.self)} | ${UNDER_EVERYTHING.has(r.name) ? "—" : pct(r.inclusive)} |`),
  ].join("\n");
}
