import jsonata from "jsonata";

// Connector logic (rules, mappings, pre/post-event logic, inflow mappings) is JSONata: a small,
// side-effect-free query language run by its own interpreter, never `eval`/`vm`. Admin-written
// expressions still must not stall a node, so each evaluation is time-boxed and depth-boxed
// through JSONata's evaluate-entry hook (the approach its own test suite uses), and its result is
// size-capped. Cost: one hook call per evaluation step (~µs); compiled expressions are cached.

/** Longest expression text accepted. */
export const MAX_EXPRESSION_LENGTH = 10_000;
const TIME_LIMIT_MS = 250;
const DEPTH_LIMIT = 200;
/** Largest result, as JSON text. */
const MAX_RESULT_BYTES = 1024 * 1024;

export class ExpressionError extends Error {}

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();

/** One evaluation's budget, found from any frame by the Date JSONata stamps on each evaluation. */
interface Budget {
  started: number;
  depth: number;
}
const budgets = new WeakMap<object, Budget>();
type Frame = { isParallelCall?: boolean; timestamp?: object | null };

function enter(_expr: unknown, _input: unknown, frame: Frame) {
  if (frame.isParallelCall || !frame.timestamp) return;
  let budget = budgets.get(frame.timestamp);
  if (!budget) budgets.set(frame.timestamp, (budget = { started: Date.now(), depth: 0 }));
  if (++budget.depth > DEPTH_LIMIT) throw new ExpressionError(`recursed deeper than ${DEPTH_LIMIT} levels`);
  if (Date.now() - budget.started > TIME_LIMIT_MS) throw new ExpressionError(`ran longer than ${TIME_LIMIT_MS} ms`);
}

function exit(_expr: unknown, _input: unknown, frame: Frame) {
  if (frame.isParallelCall || !frame.timestamp) return;
  const budget = budgets.get(frame.timestamp);
  if (budget) budget.depth--;
}

/**
 * Parses `source`; throws ExpressionError with JSONata's message and position when it is not a
 * valid expression (what a save-time check reports to the admin).
 */
export function compileExpression(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  let compiled: Compiled;
  try {
    compiled = jsonata(source);
  } catch (err) {
    throw new ExpressionError(describe(err));
  }
  // Bound once per compiled expression; the budget they check is per evaluation (see Budget).
  compiled.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, enter);
  compiled.assign(Symbol.for("jsonata.__evaluate_exit") as unknown as string, exit);
  if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
  cache.set(source, compiled);
  return compiled;
}

/**
 * Evaluates `source` on `input` with only `bindings` as variables. Throws ExpressionError when it
 * fails, runs longer than 250 ms, nests deeper than 200 steps or answers more than 1 MiB of JSON.
 * `undefined` (JSONata's "no match") is returned as undefined. Results are plain JSON.
 */
export async function evaluateExpression(source: string, input: unknown, bindings: Record<string, unknown> = {}): Promise<unknown> {
  const expression = compileExpression(source);
  let result: unknown;
  try {
    result = await expression.evaluate(input, bindings);
  } catch (err) {
    throw err instanceof ExpressionError ? err : new ExpressionError(describe(err));
  }
  if (result === undefined) return undefined;
  const json = JSON.stringify(result) as string | undefined; // a function result has no JSON
  if (json === undefined) return undefined;
  if (json.length > MAX_RESULT_BYTES) throw new ExpressionError(`answered more than ${MAX_RESULT_BYTES} bytes`);
  return JSON.parse(json) as unknown;
}

function describe(err: unknown): string {
  const e = err as { message?: string; position?: number; token?: string };
  const where = typeof e.position === "number" ? ` (at character ${e.position})` : "";
  return `${e.message ?? String(err)}${where}`;
}
