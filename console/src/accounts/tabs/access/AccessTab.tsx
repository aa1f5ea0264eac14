import { useQuery } from "@urql/preact";
import { ConsoleAccessChoicesDocument, ConsoleAccountAccessDocument } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import { ReadOnlyHint, useAction } from "../action-state.tsx";
import type { TabProps } from "../registry.ts";
import { GroupsSection } from "./GroupsSection.tsx";
import { RolesSection } from "./RolesSection.tsx";

/** The customer's groups, organizations and role pairs (what their access tokens carry), and changing them. */
export function AccessTab({ account, store }: TabProps) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleAccountAccessDocument,
    variables: { id: account.id },
    requestPolicy: "network-only",
  });
  const [choices] = useQuery({ query: ConsoleAccessChoicesDocument, requestPolicy: "network-only" });
  const action = useAction(() => reexecute({ requestPolicy: "network-only" }));
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  const failure = error ?? choices.error;
  if (failure) return <QueryError error={failure} />;
  const customer = data?.customer;
  if (!customer || !choices.data) return fetching || choices.fetching ? <p class="loading">Loading…</p> : null;
  const nodes = <T,>(connection: { edges: readonly { node: T }[] }) => connection.edges.map((edge) => edge.node);
  const organizations = nodes(customer.organizations);
  const allowed = mayWrite && !action.busy;
  return (
    <>
      <ReadOnlyHint allowed={mayWrite} />
      <GroupsSection
        customerId={customer.id}
        groups={nodes(customer.groups)}
        choices={nodes(choices.data.groups)}
        allowed={allowed}
        run={action.run}
      />
      <RolesSection
        customerId={customer.id}
        assignments={nodes(customer.roleAssignments)}
        roles={nodes(choices.data.roles)}
        organizations={nodes(choices.data.organizations)}
        allowed={allowed}
        run={action.run}
      />
      <h2>Organizations</h2>
      {organizations.length === 0 ? (
        <p>Not a member of any organization.</p>
      ) : (
        <ul aria-label="Organizations">
          {organizations.map((org) => (
            <li key={org.id}>
              {org.name} {org.domain && <span class="hint">({org.domain})</span>}
            </li>
          ))}
        </ul>
      )}
      <OutcomeLine outcome={action.outcome} />
    </>
  );
}
