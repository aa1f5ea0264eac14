import { channel } from "node:diagnostics_channel";
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  print,
  visit,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type OperationDefinitionNode,
} from "graphql";
import { isAsyncIterable, mapAsyncIterator, type Plugin } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";

/**
 * What a subscription field declares in its `extensions` to have its events executed once per
 * class of subscribers instead of once per subscriber: the arguments that only position one
 * subscriber's stream (a resume cursor) and so do not change what an event looks like.
 */
export interface SharedExecution {
  perSubscriberArgs: string[];
}

/** Published once per execution of a shared event (tests count them; nothing else listens). */
export const sharedExecutions = channel("identity-gateway:subscription-event-executed");

// Per source event (the bus hands the same object to every subscriber on a node), the result of
// each class that executed it. Weak: an event no subscriber holds any more takes its results along.
// Settled results are kept as values, so that the other subscribers of the class take them without a promise.
const executed = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();
const serialized = new WeakMap<object, Buffer>();

/**
 * Yoga plugin: a subscription whose root field declares `extensions.sharedExecution` executes its
 * selection set once per event per class — same document, operation, variables (except the
 * per-subscriber arguments) and principal (tenant, scopes) — and every subscriber of the class gets
 * the same result object. Subscribing (authorization included) and the source stream stay per
 * subscriber, so each keeps its own replay, order, filter and slow-consumer bound; only events
 * that are the same object (live ones from the bus) are shared, never a subscriber's replayed rows.
 * Cost: one print of the document per subscription; per event, one Map lookup per subscriber.
 */
export function useSharedSubscriptionExecution(): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const perSubscriberArgs = sharedArgs(args);
      if (!perSubscriberArgs) return;
      setSubscribeFn(async (subscribeArgs) => {
        // Variables that do not coerce: yoga's own executor answers, in the shape its error handling knows.
        const operation = getOperationAST(subscribeArgs.document, subscribeArgs.operationName)!;
        const coerced = getVariableValues(subscribeArgs.schema, operation.variableDefinitions ?? [], subscribeArgs.variableValues ?? {});
        if (coerced.errors) return subscribeFn(subscribeArgs);
        const source = await createSourceEventStream(subscribeArgs);
        if (!isAsyncIterable(source)) return source;
        const key = classKey(subscribeArgs, perSubscriberArgs);
        return mapAsyncIterator(source, (event: unknown) => executeShared(subscribeArgs, key, event));
      });
    },
  };
}

/**
 * The result as UTF-8 JSON, computed once per result object: every socket of a class sends the
 * same bytes. Equal to what graphql-ws and yoga would write for it (GraphQLError has toJSON).
 */
export function serializeResult(result: ExecutionResult): Buffer {
  let json = serialized.get(result);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(result));
    serialized.set(result, json);
  }
  return json;
}

function executeShared(args: ExecutionArgs, key: string, event: unknown): ExecutionResult | Promise<ExecutionResult> {
  const run = () => {
    if (sharedExecutions.hasSubscribers) sharedExecutions.publish({ key });
    // graphql-js runs the event through the subscription field's resolve, as subscribe() would.
    return execute({ ...args, rootValue: event });
  };
  if (typeof event !== "object" || event === null) return run();
  let byClass = executed.get(event);
  if (!byClass) executed.set(event, (byClass = new Map()));
  const known = byClass.get(key);
  if (known) return known;
  const result = run();
  byClass.set(key, result);
  if (result instanceof Promise) void result.then((settled) => byClass.set(key, settled)).catch(() => undefined);
  return result;
}

/** The root field's per-subscriber arguments, or null when the operation is not shared. */
function sharedArgs(args: ExecutionArgs): string[] | null {
  const operation = getOperationAST(args.document, args.operationName);
  const root = args.schema.getSubscriptionType();
  if (operation?.operation !== "subscription" || !root) return null;
  const fields = rootFields(operation);
  // One plain root field: fragments and several fields would need their own bookkeeping.
  if (fields.length !== 1 || operation.selectionSet.selections.length !== 1) return null;
  const declared = root.getFields()[fields[0].name.value]?.extensions?.sharedExecution as SharedExecution | undefined;
  return declared ? declared.perSubscriberArgs : null;
}

const rootFields = (operation: OperationDefinitionNode) =>
  operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);

/**
 * What makes two subscribers' results identical: the principal (tenant and scopes: authorization
 * belongs to the type, and both decide what the same selection may read — two subscribers whose
 * scopes differ never share), the document, the operation and the variables, minus variables that
 * feed only per-subscriber arguments.
 */
function classKey(args: ExecutionArgs, perSubscriberArgs: string[]): string {
  const ctx = args.contextValue as GraphQLContext;
  const principal = ctx.admin
    ? { tenant: ctx.admin.tenantId, scopes: [...ctx.admin.scopes].sort() }
    : ctx.customer
      ? { tenant: ctx.customer.tenantId, customer: ctx.customer.customerId, scopes: [...ctx.customer.scopes].sort() }
      : null;
  const operation = getOperationAST(args.document, args.operationName)!;
  const positional = new Set<string>();
  for (const arg of rootFields(operation)[0].arguments ?? []) {
    if (perSubscriberArgs.includes(arg.name.value) && arg.value.kind === Kind.VARIABLE) positional.add(arg.value.name.value);
  }
  // A variable also used anywhere else (a filter, a nested argument, a directive) stays in the key.
  const uses = new Map<string, number>();
  visit(operation.selectionSet, { Variable: (node) => void uses.set(node.name.value, (uses.get(node.name.value) ?? 0) + 1) });
  const variables = Object.entries(args.variableValues ?? {}).filter(([name]) => !(positional.has(name) && uses.get(name) === 1));
  return JSON.stringify([principal, print(args.document), args.operationName ?? null, variables]);
}
