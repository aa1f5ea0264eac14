import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleCreateSegmentDocument, type CustomerFilter } from "../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../outcome.ts";
import { OutcomeLine } from "../../shared/OutcomeLine.tsx";

interface Props {
  /** The filter searched last; undefined (every account) is not worth a segment. */
  filter: CustomerFilter | undefined;
  allowed: boolean;
}

/** Saves the current search's filter under a name (createSegment checks it against the store's fields). */
export function SaveSegment({ filter, allowed }: Props) {
  const [name, setName] = useState("");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, create] = useMutation(ConsoleCreateSegmentDocument);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!filter) return;
    const result = await create({ input: { name: name.trim(), filter } }, { additionalTypenames: ["Segment"] });
    const next = outcomeOf(result, () => `Saved segment ${name.trim()}.`);
    setOutcome(next);
    if (next.ok) setName("");
  };
  return (
    <form class="save-segment" onSubmit={submit}>
      <label class="inline">
        Segment name
        <input value={name} maxLength={100} disabled={!allowed} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!allowed || fetching || !filter || name.trim() === ""}>
        Save as segment
      </button>
      {!filter && <span class="hint">Search with a condition first.</span>}
      <OutcomeLine outcome={outcome} />
    </form>
  );
}
