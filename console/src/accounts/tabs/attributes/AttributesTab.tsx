import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountAttributesDocument } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import type { Outcome } from "../../outcome.ts";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import type { TabProps } from "../registry.ts";
import { AttributesForm } from "./AttributesForm.tsx";
import { UndefinedFields } from "./UndefinedFields.tsx";

export interface SaveResult {
  outcome: Outcome;
  issues: { field: string; message: string }[];
}

/** The account's profile and custom fields, changed through updateCustomer. */
export function AttributesTab({ account, store }: TabProps) {
  const [{ data, error, fetching }] = useQuery({ query: ConsoleAccountAttributesDocument, variables: { id: account.id } });
  const [result, setResult] = useState<SaveResult | null>(null);
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  if (error) return <QueryError error={error} />;
  const customer = data?.customer;
  if (!customer) return fetching ? <p class="loading">Loading…</p> : null;
  return (
    <>
      {!mayWrite && <p class="hint">Your role in this identity store does not allow changing accounts (it needs CUSTOMERS_WRITE).</p>}
      {/* A saved change answers the customer anew (updatedAt): the form starts again from what the gateway holds. */}
      <AttributesForm
        key={customer.updatedAt}
        customer={customer}
        definitions={data.customFieldDefinitions}
        allowed={mayWrite}
        onResult={setResult}
      />
      <OutcomeLine outcome={result?.outcome ?? null} issues={result?.issues} />
      <UndefinedFields values={customer.customFields} definitions={data.customFieldDefinitions} />
    </>
  );
}
