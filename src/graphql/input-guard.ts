import { GraphQLError, Kind, visit, type DocumentNode, type ExecutionArgs, type ValueNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { decodeBase64, decodeCursorChunk } from "@pothos/core";
import { isUuid } from "../ids.ts";
import type { ValidationIssue } from "../errors.ts";

/** Nesting allowed in any client-supplied value (JSON custom fields, filters, lists). */
export const MAX_INPUT_DEPTH = 32;

/** Keys that JavaScript objects treat specially: refused rather than silently dropped. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The one rule for every string a client controls: PostgreSQL refuses NUL, and lone surrogates are no text. */
export function badText(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character";
  // String#isWellFormed is in Node 20 but not in the ES2023 lib this project compiles against.
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) return "contains an unpaired UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** Where an issue sits, cut short: field names come from the client and can be any size. */
const at = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

function checkValue(value: unknown, path: string, depth: number, issues: ValidationIssue[]): void {
  if (issues.length >= 10) return;
  if (typeof value === "string") {
    const problem = badText(value);
    if (problem) issues.push({ field: at(path), message: problem });
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (depth > MAX_INPUT_DEPTH) {
    issues.push({ field: at(path), message: `nested deeper than ${MAX_INPUT_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkValue(item, `${path}.${i}`, depth + 1, issues));
    return;
  }
  for (const key of Object.keys(value)) {
    const problem = RESERVED_KEYS.has(key) ? `the key "${key}" is not allowed` : badText(key);
    if (problem) issues.push({ field: at(`${path}.${key}`), message: problem });
    else checkValue((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, issues);
  }
}

function checkLiteral(node: ValueNode, path: string, depth: number, issues: ValidationIssue[]): void {
  if (issues.length >= 10) return;
  if (node.kind === Kind.STRING || node.kind === Kind.ENUM) {
    const problem = badText(node.value);
    if (problem) issues.push({ field: at(path), message: problem });
  } else if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) {
    if (depth > MAX_INPUT_DEPTH) {
      issues.push({ field: at(path), message: `nested deeper than ${MAX_INPUT_DEPTH} levels` });
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, i) => checkLiteral(item, `${path}.${i}`, depth + 1, issues));
    } else {
      for (const field of node.fields) {
        const key = field.name.value;
        if (RESERVED_KEYS.has(key)) issues.push({ field: at(`${path}.${key}`), message: `the key "${key}" is not allowed` });
        else checkLiteral(field.value, `${path}.${key}`, depth + 1, issues);
      }
    }
  }
}

const CURSOR_ARGUMENTS = new Set(["after", "before"]);

/**
 * Pothos-Prisma connection cursors (`GPC:` + the row id) go straight into the SQL: one that
 * decodes to something other than a uuid would fail there. Every such cursor in this schema is a
 * uuid row id (or a pair of them: a membership's compound key); the customer and audit cursors
 * have their own format and checks.
 */
function forgedCursor(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const decoded = decodeBase64(value);
    if (!decoded.startsWith("GPC:")) return false;
    const id: unknown = decodeCursorChunk(decoded.slice(4));
    // Join tables (group and organization memberships) page by their compound key: uuids too.
    const parts = Array.isArray(id) ? id : [id];
    return parts.length === 0 || parts.some((part) => typeof part !== "string" || !isUuid(part));
  } catch {
    return false; // not ours to judge: Pothos refuses undecodable cursors itself
  }
}

/** Every problem with the operation's variables and inline argument values; empty when clean. */
export function inputIssues(document: DocumentNode, variables: Record<string, unknown> | null | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(variables ?? {})) checkValue(value, name, 1, issues);
  const fields: string[] = [];
  visit(document, {
    Field: { enter: (node) => void fields.push(node.name.value), leave: () => void fields.pop() },
    Argument: (node) => {
      const path = `${fields.at(-1) ?? "directive"}.${node.name.value}`;
      checkLiteral(node.value, path, 1, issues);
      if (CURSOR_ARGUMENTS.has(node.name.value)) {
        const value =
          node.value.kind === Kind.VARIABLE
            ? variables?.[node.value.name.value]
            : node.value.kind === Kind.STRING
              ? node.value.value
              : null;
        if (forgedCursor(value)) issues.push({ field: node.name.value, message: "not a cursor returned by this connection" });
      }
      return false;
    },
    VariableDefinition: (node) => {
      if (node.defaultValue) checkLiteral(node.defaultValue, node.variable.name.value, 1, issues);
      return false;
    },
  });
  return issues;
}

function refusal(issues: ValidationIssue[]) {
  const message = issues.map((i) => `${i.field}: ${i.message}`).join("; ");
  return { errors: [new GraphQLError(message, { extensions: { code: "VALIDATION_FAILED", issues, http: { status: 400 } } })] };
}

const check = (args: ExecutionArgs) => inputIssues(args.document, args.variableValues as Record<string, unknown> | undefined);

/**
 * Refuses an operation whose input breaks the shared string/JSON rules before any resolver runs,
 * over HTTP (GET, POST), SSE and graphql-ws alike: VALIDATION_FAILED with one issue per field.
 * Cost: one walk over the variables and the document, bounded by the body and token limits.
 */
export const inputGuardPlugin: Plugin = {
  onExecute({ args, setResultAndStopExecution }) {
    const issues = check(args);
    if (issues.length > 0) setResultAndStopExecution(refusal(issues));
  },
  onSubscribe({ args, setResultAndStopExecution }) {
    const issues = check(args);
    if (issues.length > 0) setResultAndStopExecution(refusal(issues));
  },
};
