import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleVerificationPoliciesDocument, ConsoleVerifyIdentityDocument, type VerificationMethod } from "../../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { METHOD_NAMES } from "./methods.ts";
import { QueryError } from "../../../shared/OutcomeLine.tsx";

interface Props {
  customerId: string;
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

/** Records a manual verification: under one of the tenant's policies, by one of its methods, with the evidence checked. */
export function VerifyIdentityForm({ customerId, allowed, run }: Props) {
  const [{ data, error }] = useQuery({ query: ConsoleVerificationPoliciesDocument });
  const [, verify] = useMutation(ConsoleVerifyIdentityDocument);
  const [policyId, setPolicyId] = useState("");
  const [method, setMethod] = useState<VerificationMethod | "">("");
  const [note, setNote] = useState("");
  const policies = data?.verificationPolicies.edges.map((edge) => edge.node) ?? [];
  const policy = policies.find((p) => p.id === policyId) ?? policies[0];
  const methods = policy?.methods ?? [];
  const chosenMethod = method && methods.includes(method) ? method : methods[0];

  if (error) return <QueryError error={error} />;
  if (data && policies.length === 0) return <p class="hint">This store has no verification policy to verify identities under.</p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!policy || !chosenMethod) return;
    const input = { policyId: policy.id, method: chosenMethod, note: note.trim() };
    const done = await run(async () =>
      outcomeOf(await verify({ customerId, input }), () => `Identity verified under ${policy.name} (${METHOD_NAMES[chosenMethod]}).`),
    );
    if (done) setNote("");
  };
  return (
    <form class="tab-form" onSubmit={submit} aria-label="Verify identity">
      <label>
        <span>Policy</span>
        <select value={policy?.id ?? ""} disabled={!allowed} onChange={(e) => setPolicyId(e.currentTarget.value)}>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Method</span>
        <select value={chosenMethod ?? ""} disabled={!allowed} onChange={(e) => setMethod(e.currentTarget.value as VerificationMethod)}>
          {methods.map((m) => (
            <option key={m} value={m}>
              {METHOD_NAMES[m]}
            </option>
          ))}
        </select>
      </label>
      <label class="wide">
        <span>Evidence checked</span>
        <input value={note} required disabled={!allowed} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!allowed || !policy || note.trim() === ""}>
        Verify identity
      </button>
      {policy?.description && <p class="hint">{policy.description}</p>}
    </form>
  );
}
