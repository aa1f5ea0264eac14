import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import {
  ConsoleDeleteSegmentDocument,
  ConsoleUpdateSegmentDocument,
  type ConsoleSegmentFragment,
  type CustomerFilter,
} from "../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../outcome.ts";
import { OutcomeLine } from "../../shared/OutcomeLine.tsx";

interface Props {
  segment: ConsoleSegmentFragment;
  /** The filter searched last: what "Update filter" saves. */
  filter: CustomerFilter | undefined;
  allowed: boolean;
  onApply: (segment: ConsoleSegmentFragment) => void;
}

/** One saved segment: apply it, rename it, give it the current filter, delete it. */
export function SegmentItem({ segment, filter, allowed, onApply }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(segment.name);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [, update] = useMutation(ConsoleUpdateSegmentDocument);
  const [, remove] = useMutation(ConsoleDeleteSegmentDocument);
  const change = async (input: { name?: string; filter?: CustomerFilter }, done: string) => {
    const next = outcomeOf(await update({ id: segment.id, input }), () => done);
    setOutcome(next);
    if (next.ok) setRenaming(false);
  };
  const rename = (event: Event) => {
    event.preventDefault();
    void change({ name: name.trim() }, `Renamed to ${name.trim()}.`);
  };
  const drop = async () =>
    setOutcome(outcomeOf(await remove({ id: segment.id }, { additionalTypenames: ["Segment"] }), () => `Deleted ${segment.name}.`));
  return (
    <li class="segment">
      <span class="segment-name">{segment.name}</span>
      <button type="button" class="secondary" aria-label={`Apply ${segment.name}`} onClick={() => onApply(segment)}>
        Apply
      </button>
      <button
        type="button"
        class="secondary"
        aria-label={`Rename ${segment.name}`}
        disabled={!allowed}
        onClick={() => setRenaming(!renaming)}
      >
        Rename
      </button>
      <button
        type="button"
        class="secondary"
        aria-label={`Save the current filter to ${segment.name}`}
        disabled={!allowed || !filter}
        onClick={() => filter && change({ filter }, `Saved the current filter to ${segment.name}.`)}
      >
        Update filter
      </button>
      <button type="button" class="secondary" aria-label={`Delete ${segment.name}`} disabled={!allowed} onClick={drop}>
        Delete
      </button>
      {renaming && (
        <form class="inline-form" onSubmit={rename}>
          <label class="inline">
            New name
            <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={name.trim() === ""}>
            Save name
          </button>
        </form>
      )}
      <OutcomeLine outcome={outcome} />
    </li>
  );
}
