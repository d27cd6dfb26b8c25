import { useEffect, useRef } from 'react';

/** How often a page without a live stream looks again. */
const POLL_MS = 3000;

/**
 * Calls `refresh` when something of `kind` may have changed: on the server's
 * event stream when it is open, else every few seconds.
 */
export function useLive(kind: string, refresh: () => Promise<void> | void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const source =
      typeof EventSource === 'function' ? new EventSource(`/v1/events/stream?kinds=${kind}`) : undefined;
    const poll = () => {
      if (!timer) timer = setInterval(() => void latest.current(), POLL_MS);
    };
    if (source) {
      source.addEventListener(kind, () => void latest.current());
      source.onerror = poll;
    } else poll();
    return () => {
      source?.close();
      if (timer) clearInterval(timer);
    };
  }, [kind]);
}
