import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAssignRoleDocument, ConsoleUnassignRoleDocument, type ConsoleRoleAssignmentFragment } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";
import { outcomeOf, type Outcome } from "../../outcome.ts";

interface Named {
  id: string;
  name: string;
}

interface Props {
  customerId: string;
  assignments: readonly ConsoleRoleAssignmentFragment[];
  roles: readonly Named[];
  organizations: readonly Named[];
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

const TENANT_WIDE = "";
const pairName = (role: string, organization: string | undefined) => `${role} ${organization ? `for ${organization}` : "tenant-wide"}`;

/** The customer's role pairs: a role for one organization, or tenant-wide. Membership of the organization is not required. */
export function RolesSection(props: Props) {
  return (
    <>
      <h2>Roles</h2>
      {props.assignments.length === 0 ? <p>No role assigned.</p> : <RoleTable {...props} />}
      <AssignRole {...props} />
    </>
  );
}

function RoleTable({ assignments, allowed, run }: Props) {
  const [, unassign] = useMutation(ConsoleUnassignRoleDocument);
  return (
    <table class="records">
      <caption>Role pairs, oldest first</caption>
      <thead>
        <tr>
          <th scope="col">Role</th>
          <th scope="col">Organization</th>
          <th scope="col">Since</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {assignments.map((a) => {
          const name = pairName(a.role.name, a.organization?.name);
          return (
            <tr key={a.id}>
              <td>{a.role.name}</td>
              <td>{a.organization?.name ?? "Tenant-wide"}</td>
              <td>{formatDate(a.createdAt)}</td>
              <td>
                <button
                  type="button"
                  class="destructive"
                  disabled={!allowed}
                  onClick={() => run(async () => outcomeOf(await unassign({ id: a.id }), () => `Unassigned ${name}.`))}
                >
                  Unassign {name}
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function AssignRole({ customerId, roles, organizations, allowed, run }: Props) {
  const [, assign] = useMutation(ConsoleAssignRoleDocument);
  const [roleId, setRoleId] = useState("");
  const [organizationId, setOrganizationId] = useState(TENANT_WIDE);
  const role = roles.find((r) => r.id === roleId) ?? roles[0];
  const organization = organizations.find((o) => o.id === organizationId);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!role) return;
    const variables = { customerId, roleId: role.id, organizationId: organization?.id ?? null };
    run(async () => outcomeOf(await assign(variables), () => `Assigned ${pairName(role.name, organization?.name)}.`));
  };
  return (
    <form class="tab-form" onSubmit={submit} aria-label="Assign a role">
      <label>
        <span>Role</span>
        <select value={role?.id ?? ""} disabled={!allowed || roles.length === 0} onChange={(e) => setRoleId(e.currentTarget.value)}>
          {roles.length === 0 && <option value="">No role in this store</option>}
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>For organization</span>
        <select value={organizationId} disabled={!allowed} onChange={(e) => setOrganizationId(e.currentTarget.value)}>
          <option value={TENANT_WIDE}>Tenant-wide</option>
          {organizations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!allowed || !role}>
        Assign role
      </button>
    </form>
  );
}
