import { useEffect, useRef } from "preact/hooks";

/**
 * Calls `refresh` every `ms` while `active` holds: work the gateway does in the background (an
 * import's batches, a delivery's attempts) shows up without a reload, and asking stops once it is done.
 */
export function usePolling(active: boolean, refresh: () => void, ms = 1000): void {
  // The latest callback, so a new one (a new render) does not restart the timer.
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}
