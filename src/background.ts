// Small primitives the background workers share (connector deliveries, notifications): a task
// that runs one at a time however often it is asked for, and one-shot timers that never keep the
// process alive and are all cancelled at stop.

/** Runs `task` one at a time: a run asked for while one is going happens once, right after it. */
export function serialized(task: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = task()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return { run, idle: async () => void (await running) };
}

/** One-shot timers that do not keep the process alive, all cancelled by clear(). */
export function timerSet() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    after(ms: number, run: () => void) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timer.unref();
      timers.add(timer);
    },
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
