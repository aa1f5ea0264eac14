import { useState } from "preact/hooks";

/**
 * Keyset paging forward only (the gateway's connections page with `after`): the cursors of the
 * pages before this one, so Previous goes back by dropping the last. `after` is the current page's.
 */
export function useTrail() {
  const [trail, setTrail] = useState<string[]>([]);
  return { trail, setTrail, after: trail.at(-1), reset: () => setTrail([]) };
}

interface Props {
  trail: ReturnType<typeof useTrail>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  /** Names the navigation landmark (several lists can share a page). */
  label: string;
}

export function Pager({ trail: { trail, setTrail }, pageInfo, label }: Props) {
  const next = pageInfo?.hasNextPage ? pageInfo.endCursor : null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={trail.length === 0} onClick={() => setTrail(trail.slice(0, -1))}>
        Previous
      </button>
      <button type="button" disabled={!next} onClick={() => next && setTrail([...trail, next])}>
        Next
      </button>
    </nav>
  );
}
