import type { ConsoleAuditEventTypesQuery } from "../generated/graphql.ts";

type EventType = ConsoleAuditEventTypesQuery["auditEventTypes"][number];

interface Props {
  types: readonly EventType[];
  chosen: readonly string[];
  onChange: (chosen: string[]) => void;
  wildcards: string;
  onWildcards: (wildcards: string) => void;
}

/** The triggers of an outflow connector: the gateway's audit event types, a group per domain (customer, connector…), plus wildcards. */
export function TriggerPicker({ types, chosen, onChange, wildcards, onWildcards }: Props) {
  const groups = new Map<string, EventType[]>();
  for (const type of types) {
    const domain = type.name.split(".")[0]!;
    groups.set(domain, [...(groups.get(domain) ?? []), type]);
  }
  const toggle = (name: string, on: boolean) => onChange(on ? [...chosen, name] : chosen.filter((c) => c !== name));
  return (
    <fieldset class="triggers">
      <legend>Triggers</legend>
      {[...groups].map(([domain, members]) => (
        <details key={domain} open={members.some((m) => chosen.includes(m.name))}>
          <summary>
            {domain} ({members.filter((m) => chosen.includes(m.name)).length} of {members.length})
          </summary>
          {members.map((type) => (
            <label key={type.name} class="check">
              <input type="checkbox" checked={chosen.includes(type.name)} onChange={(e) => toggle(type.name, e.currentTarget.checked)} />
              <span>
                <code>{type.name}</code> {type.description}
              </span>
            </label>
          ))}
        </details>
      ))}
      <label>
        Wildcards (comma-separated, e.g. customer.* or *)
        <input value={wildcards} onInput={(e) => onWildcards(e.currentTarget.value)} />
      </label>
    </fieldset>
  );
}
