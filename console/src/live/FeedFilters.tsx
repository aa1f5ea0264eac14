import { useState } from "preact/hooks";
import type { AuditEventFilter } from "../generated/graphql.ts";

interface Props {
  onApply: (filter: AuditEventFilter) => void;
}

/**
 * What the feed shows, as the subscription's filter takes it: one event type or a prefix
 * (`customer.*`), one account (its ID), team members' console actions only.
 */
export function FeedFilters({ onApply }: Props) {
  const [type, setType] = useState("");
  const [customerId, setCustomerId] = useState("");
  const [teamActions, setTeamActions] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    const filter: AuditEventFilter = {};
    if (type.trim()) filter.types = [type.trim()];
    if (customerId.trim()) filter.customerId = customerId.trim();
    if (teamActions) filter.teamActions = true;
    onApply(filter);
  };
  return (
    <form class="search" aria-label="Feed filters" onSubmit={submit}>
      <label>
        Event type (e.g. customer.*)
        <input type="text" value={type} onInput={(e) => setType(e.currentTarget.value)} />
      </label>
      <label>
        Account ID
        <input type="text" value={customerId} onInput={(e) => setCustomerId(e.currentTarget.value)} />
      </label>
      <label class="inline">
        <input type="checkbox" checked={teamActions} onChange={(e) => setTeamActions(e.currentTarget.checked)} />
        Team actions only
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}
