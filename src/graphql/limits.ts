import type { OperationLimits } from "../config.ts";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLArmorCallbackConfiguration } from "@escape.tech/graphql-armor-types";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import {
  GraphQLError,
  Kind,
  validate,
  visit,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";

/** Total size of parsed documents kept for reuse. A parsed AST takes ~20× its source text. */
const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;
const AST_BYTES_PER_CHAR = 20;

/**
 * Fields one merged selection set may hold under one response name (through fragments too).
 * graphql-js's OverlappingFieldsCanBeMerged compares every pair of them, printing arguments each
 * time: 110 same-name fields with differing arguments (1,000 tokens) took ~55 ms, 1,000 took 4 s.
 * graphql-armor has no rule for this, so it is ours; real documents repeat a name a few times.
 */
export const MAX_SAME_NAME_FIELDS = 20;

function sameNameFieldsRule(context: ValidationContext) {
  const countInto = (set: SelectionSetNode, counts: Map<string, number>, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        countInto(selection.selectionSet, counts, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = context.getFragment(selection.name.value);
        if (fragment) countInto(fragment.selectionSet, counts, seen);
      }
    }
  };
  return {
    SelectionSet(node: SelectionSetNode) {
      const counts = new Map<string, number>();
      countInto(node, counts, new Set());
      for (const [name, count] of counts) {
        if (count > MAX_SAME_NAME_FIELDS) {
          context.reportError(
            queryTooComplex(`"${name.slice(0, 50)}" is selected ${count} times in one selection set; at most ${MAX_SAME_NAME_FIELDS}`),
          );
          return false;
        }
      }
      return undefined;
    },
  };
}

/** A client's document broke a limit: HTTP 400 with the registry code QUERY_TOO_COMPLEX. */
export function queryTooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } });
}

// graphql-armor reports with BAD_USER_INPUT; ours is QUERY_TOO_COMPLEX. Its callbacks hand us the
// error before it is reported, so we give it our code there.
const recode: GraphQLArmorCallbackConfiguration = {
  propagateOnRejection: true,
  onReject: [
    (_ctx, error) => {
      (error.extensions as Record<string, unknown>).code = "QUERY_TOO_COMPLEX";
      (error.extensions as Record<string, unknown>).http = { status: 400 };
    },
  ],
};

/**
 * The operation limits, as yoga plugins. Order of work for a request: size of the query text
 * (before parsing), token count (while parsing), the cheap limit rules (depth, aliases, directives,
 * cost) alone, and only then graphql-js's full validation — whose overlapping-fields rule is
 * quadratic in same-named fields, so it must only ever see documents the token cap keeps small.
 * Parsed documents are cached in an LRU bounded by bytes; parse errors are not cached at all.
 */
export function operationLimitPlugins(limits: OperationLimits): Plugin[] {
  const costRule = costLimitRule({
    maxCost: limits.maxCost,
    ignoreIntrospection: true,
    flattenFragments: true,
    ...recode,
  }) as ValidationRule;
  const cheapRules: ValidationRule[] = [
    sameNameFieldsRule,
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...recode }) as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, ...recode }) as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, ...recode }) as ValidationRule,
    costRule,
  ];
  const cheapChecked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const plugins: Plugin[] = [
    {
      onParams({ params }) {
        if (typeof params.query === "string" && Buffer.byteLength(params.query) > limits.maxQueryBytes) {
          throw queryTooComplex(`The query text is larger than ${limits.maxQueryBytes} bytes`);
        }
      },
      onValidate({ params, setResult }) {
        let errors = cheapChecked.get(params.documentAST);
        if (!errors) {
          errors = validate(params.schema, params.documentAST, cheapRules);
          cheapChecked.set(params.documentAST, errors);
        }
        if (errors.length > 0) setResult([...errors]);
      },
      // Validation sees no variables, and graphql-armor's cost multiplies only a literal
      // `first`/`last`: `first: $n` would count once. With the variables known, price it again.
      // Cost: one walk of the document, and a second cost pass only where a page size is a variable.
      onExecute({ args, setResultAndStopExecution }) {
        const priced = withPageSizes(args.document, args.operationName, args.variableValues);
        if (!priced) return;
        const errors = validate(args.schema, priced, [costRule]);
        if (errors.length > 0) setResultAndStopExecution({ errors });
      },
    },
    maxTokensPlugin({ n: limits.maxTokens, ...recode }) as Plugin,
    blockFieldSuggestionsPlugin() as Plugin,
  ];
  if (limits.introspection !== "public") {
    // Without an admin key header the request never gets an admin; with a wrong one, the context
    // refuses it (401) before anything executes.
    plugins.push(
      useDisableIntrospection({ isDisabled: (request) => limits.introspection === "off" || !request.headers.get("x-api-key") }) as Plugin,
    );
  }
  return plugins;
}

/** yoga's parser cache, bounded by the bytes it holds instead of by entry count. */
export function boundedParserCache() {
  return {
    documentCache: new LRUCache<string, DocumentNode>({
      maxSize: DOCUMENT_CACHE_BYTES,
      sizeCalculation: (_doc, source) => Math.max(1, source.length * AST_BYTES_PER_CHAR),
    }),
    // A parse error is cheap to reproduce and its key is attacker-chosen text: never keep it.
    errorCache: { get: (_source: string): unknown => undefined, set: (_source: string, _error: unknown) => {} },
  };
}

/**
 * The document with every `first`/`last` given by a variable replaced by that variable's value
 * (or its default), for pricing; null when no page size is a variable.
 */
function withPageSizes(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): DocumentNode | null {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const defaults = new Map(
    (operation?.variableDefinitions ?? []).flatMap((v) =>
      v.defaultValue?.kind === Kind.INT ? [[v.variable.name.value, Number(v.defaultValue.value)] as const] : [],
    ),
  );
  let changed = false;
  const priced = visit(document, {
    Argument(node) {
      if ((node.name.value !== "first" && node.name.value !== "last") || node.value.kind !== Kind.VARIABLE) return undefined;
      const name = node.value.name.value;
      const value = variables?.[name] ?? defaults.get(name);
      if (typeof value !== "number" || !Number.isInteger(value)) return undefined;
      changed = true;
      return { ...node, value: { kind: Kind.INT, value: String(value) } };
    },
  });
  return changed ? priced : null;
}
