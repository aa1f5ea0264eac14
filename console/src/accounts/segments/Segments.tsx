import { useQuery } from "@urql/preact";
import { useMemo } from "preact/hooks";
import { ConsoleSegmentsDocument, type ConsoleSegmentFragment, type CustomerFilter } from "../../generated/graphql.ts";
import { SaveSegment } from "./SaveSegment.tsx";
import { SegmentItem } from "./SegmentItem.tsx";
import { QueryError } from "../../shared/OutcomeLine.tsx";

interface Props {
  filter: CustomerFilter | undefined;
  /** CUSTOMERS_WRITE: saving, renaming, updating and deleting segments. */
  allowed: boolean;
  onApply: (segment: ConsoleSegmentFragment) => void;
}

/** The store's saved segments (newest first) and saving the current search as one. */
export function Segments({ filter, allowed, onApply }: Props) {
  // An empty list names no Segment: say which type it lists, so a created one refreshes it.
  const context = useMemo(() => ({ additionalTypenames: ["Segment"] }), []);
  const [{ data, error }] = useQuery({ query: ConsoleSegmentsDocument, context });
  const segments = data?.segments.edges.map((edge) => edge.node) ?? [];
  return (
    <section class="segments" aria-labelledby="segments-title">
      <h2 id="segments-title">Segments</h2>
      <QueryError error={error} />
      {data && segments.length === 0 && <p class="hint">No saved segment yet.</p>}
      <ul class="plain">
        {segments.map((segment) => (
          <SegmentItem key={segment.id} segment={segment} filter={filter} allowed={allowed} onApply={onApply} />
        ))}
      </ul>
      <SaveSegment filter={filter} allowed={allowed} />
      {!allowed && <p class="hint">Your role in this identity store does not allow changing segments.</p>}
    </section>
  );
}
