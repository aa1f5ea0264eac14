import { useState } from "preact/hooks";

/**
 * Keyset paging forward through a connection: the cursors of the pages before this one (the API
 * pages forward with `after`), so Previous pops one. `reset` starts again (a new filter).
 */
export function useCursorTrail() {
  const [trail, setTrail] = useState<string[]>([]);
  return {
    after: trail.at(-1),
    atStart: trail.length === 0,
    next: (cursor: string) => setTrail([...trail, cursor]),
    previous: () => setTrail(trail.slice(0, -1)),
    reset: () => setTrail([]),
  };
}

interface Props {
  trail: ReturnType<typeof useCursorTrail>;
  /** Undefined while the first answer is awaited: nothing shown. */
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  /** What is paged, for the navigation's name (e.g. "Sessions pages"). */
  label: string;
}

/** Previous/Next, shown only when there is more than one page. */
export function Pager({ trail, pageInfo, label }: Props) {
  if (!pageInfo || (trail.atStart && !pageInfo.hasNextPage)) return null;
  const { endCursor } = pageInfo;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={trail.atStart} onClick={trail.previous}>
        Previous
      </button>
      <button
        type="button"
        class="secondary"
        disabled={!pageInfo.hasNextPage || !endCursor}
        onClick={() => endCursor && trail.next(endCursor)}
      >
        Next
      </button>
    </nav>
  );
}
