import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAddToGroupDocument, ConsoleRemoveFromGroupDocument } from "../../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";

interface Group {
  id: string;
  name: string;
  description?: string | null;
}

interface Props {
  customerId: string;
  /** The customer's groups. */
  groups: readonly Group[];
  /** Every group of the store. */
  choices: readonly Group[];
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

/** The customer's groups; adding and removing go through addGroupMembers / removeGroupMembers with this one customer. */
export function GroupsSection(props: Props) {
  return (
    <>
      <h2>Groups</h2>
      {props.groups.length === 0 ? <p>Not in any group.</p> : <GroupTable {...props} />}
      <AddToGroup {...props} />
    </>
  );
}

function GroupTable({ customerId, groups, allowed, run }: Props) {
  const [, remove] = useMutation(ConsoleRemoveFromGroupDocument);
  return (
    <table class="records">
      <caption>Groups</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Description</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={g.id}>
            <td>{g.name}</td>
            <td>{g.description ?? "—"}</td>
            <td>
              <button
                type="button"
                class="destructive"
                disabled={!allowed}
                onClick={() =>
                  run(async () => outcomeOf(await remove({ groupId: g.id, customerIds: [customerId] }), () => `Removed from ${g.name}.`))
                }
              >
                Remove from {g.name}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddToGroup({ customerId, groups, choices, allowed, run }: Props) {
  const [, add] = useMutation(ConsoleAddToGroupDocument);
  const [chosen, setChosen] = useState("");
  const others = choices.filter((group) => !groups.some((g) => g.id === group.id));
  const group = others.find((g) => g.id === chosen) ?? others[0];
  const submit = (event: Event) => {
    event.preventDefault();
    if (group) run(async () => outcomeOf(await add({ groupId: group.id, customerIds: [customerId] }), () => `Added to ${group.name}.`));
  };
  return (
    <form class="tab-form" onSubmit={submit} aria-label="Add to a group">
      <label>
        <span>Group</span>
        <select value={group?.id ?? ""} disabled={!allowed || others.length === 0} onChange={(e) => setChosen(e.currentTarget.value)}>
          {others.length === 0 && <option value="">No other group in this store</option>}
          {others.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!allowed || !group}>
        Add to group
      </button>
    </form>
  );
}
