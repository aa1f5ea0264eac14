import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";

export type Root = "query" | "mutation" | "subscription";

/** One hostile request: an operation on one root field with one argument (or input field) spoiled. */
export interface CorpusCase {
  root: Root;
  field: string;
  /** The argument (first segment) and input-object path the case spoils. */
  target: string;
  kind: string;
  query: string;
  variables: Record<string, unknown>;
}

const NUL = "a\u0000b";
const SURROGATE = "a\uD800b";
const CONTROL = "a\u0001\u001b[31m\u007fb";
const FORGED_ID = Buffer.from("Customer:' OR 1=1 --").toString("base64");
const FORGED_CURSOR = Buffer.from("GPC:S:1; DROP TABLE customer").toString("base64");
const INJECTIONS = [
  "' OR '1'='1'; DROP TABLE customer; --",
  '{"$gt": ""}',
  '} } mutation { deleteCustomer(id: "x") { __typename } } {',
  "%_%\\",
];
const deepJson = (levels: number): unknown => (levels === 0 ? "x" : { d: deepJson(levels - 1) });

/** A plausible value of an input type: required fields only, so one spoiled part stands out. */
export function baseValue(type: GraphQLInputType, name = ""): unknown {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return [baseValue(t.ofType, name)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields()))
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = baseValue(f.type, f.name);
    return out;
  }
  switch (getNamedType(t).name) {
    case "Int":
    case "SafeInt":
      return 1;
    case "Float":
      return 1.5;
    case "Boolean":
      return true;
    case "ID":
      return "x";
    case "DateTime":
      return "2020-01-01T00:00:00Z";
    case "Date":
      return "2000-01-01";
    case "JSON":
    case "JSONObject":
      return { k: "v" };
    default:
      return /email|identifier/i.test(name) ? "someone@example.com" : /password/i.test(name) ? "correct horse battery" : "abc";
  }
}

/**
 * The spoiled values for an input of this type: [kind, value] pairs. Fields inside input objects
 * get the short list (the same rules apply to them; the full list is for arguments).
 */
function spoilers(type: GraphQLInputType, name: string, nested: boolean): [string, unknown][] {
  const all = fullSpoilers(type, name);
  if (!nested) return all;
  const short = new Set([
    "null for a required value",
    "the wrong type (a string)",
    "the wrong type (an object)",
    "an oversized string",
    "a NUL character",
    "a lone UTF-16 surrogate",
    "JSON nested 500 levels",
    "a __proto__ key",
    "an unknown enum value",
    "a malformed date",
  ]);
  return all.filter(([kind]) => short.has(kind));
}

function fullSpoilers(type: GraphQLInputType, name: string): [string, unknown][] {
  const named = getNamedType(type);
  const out: [string, unknown][] = [];
  if (isNonNullType(type)) out.push(["null for a required value", null]);
  if (isListType(getNullableType(type)))
    out.push([
      "a huge list",
      Array.from({ length: 20_000 }, () => baseValue((getNullableType(type) as { ofType: GraphQLInputType }).ofType, name)),
    ]);
  if (isInputObjectType(named) || isListType(getNullableType(type))) {
    out.push(["the wrong type (a string)", "not an object"]);
    return out;
  }
  if (isEnumType(named)) return [...out, ["an unknown enum value", "NOT_A_VALUE"], ["the wrong type (a number)", 7]];
  switch (named.name) {
    case "Int":
    case "SafeInt":
    case "Float":
      return [...out, ["the wrong type (a string)", "1; DROP"], ["a number beyond int8", 1e300], ["a negative number", -2_147_483_648]];
    case "Boolean":
      return [...out, ["the wrong type (a string)", "true"]];
    case "JSON":
    case "JSONObject":
      return [
        ...out,
        ["JSON nested 500 levels", deepJson(500)],
        ["a __proto__ key", JSON.parse(`{"__proto__": {"polluted": true}}`)],
        ["a NUL in a JSON key", { [NUL]: 1 }],
        ["a lone surrogate in a JSON value", { k: SURROGATE }],
        ["a huge JSON list", { k: Array.from({ length: 50_000 }, (_, i) => i) }],
      ];
    case "DateTime":
    case "Date":
      return [...out, ["a malformed date", "2020-13-45T99:99"], ["a NUL character", NUL]];
  }
  out.push(
    ["the wrong type (an object)", { a: 1 }],
    ["an oversized string", "x".repeat(200_000)],
    ["a NUL character", NUL],
    ["control characters", CONTROL],
    ["a lone UTF-16 surrogate", SURROGATE],
    ...INJECTIONS.map((s, i): [string, unknown] => [`injection string ${i + 1}`, s]),
  );
  if (named.name === "ID") out.push(["a forged id", FORGED_ID], ["a foreign-type id", Buffer.from("AuditEvent:1").toString("base64")]);
  if (name === "after" || name === "before") out.push(["a forged cursor", FORGED_CURSOR], ["a cursor beyond int8", "99999999999999999999"]);
  return out;
}

/** Every [path, type] inside an argument: the argument itself and its input-object fields, recursively. */
function targets(arg: GraphQLArgument): [string[], GraphQLInputType][] {
  const out: [string[], GraphQLInputType][] = [[[], arg.type]];
  const walk = (type: GraphQLInputType, path: string[], seen: Set<string>) => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return;
    for (const f of Object.values(named.getFields())) {
      const at = isListType(getNullableType(type)) ? [...path, "0", f.name] : [...path, f.name];
      out.push([at, f.type]);
      walk(f.type, at, new Set([...seen, named.name]));
    }
  };
  walk(arg.type, [], new Set());
  return out;
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let node: Record<string, unknown> = copy;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) node[key] = value;
    else node = (node[key] ??= /^\d+$/.test(path[i + 1]) ? [{}] : {}) as Record<string, unknown>;
  }
  return copy;
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return "";
  if (isAbstractType(named) || isObjectType(named)) return "{ __typename }";
  return "";
}

/** The whole corpus for a schema: every root field, every argument and input field, every spoiler. */
export function generateCorpus(schema: GraphQLSchema): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const roots: [Root, ReturnType<GraphQLSchema["getQueryType"]>][] = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ];
  for (const [root, type] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
      const call = field.args.length ? `(${field.args.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
      const query = `${root}${defs ? ` (${defs})` : ""} { ${field.name}${call} ${selectionFor(field)} }`;
      const base = Object.fromEntries(field.args.map((a) => [a.name, baseValue(a.type, a.name)]));
      if (field.args.length === 0)
        cases.push({
          root,
          field: field.name,
          target: "",
          kind: "no arguments, unknown extra variables",
          query,
          variables: { extra: NUL },
        });
      for (const arg of field.args) {
        for (const [path, inputType] of targets(arg)) {
          for (const [kind, value] of spoilers(inputType, path.at(-1) ?? arg.name, path.length > 0)) {
            cases.push({
              root,
              field: field.name,
              target: [arg.name, ...path].join("."),
              kind,
              query,
              variables: setAt(base, [arg.name, ...path], value),
            });
          }
        }
      }
    }
  }
  return cases;
}
