// A wake-up signal for polling loops: `wait(ms)` resolves at the first of `notify()` or the
// timeout. A notify that arrives between `mark()` and `wait()` is not lost: wait returns at once.
// `notifyOne()` hands one piece of news to one loop (see there).
export class Wakeup {
  private seq = 0;
  private waiters = new Set<() => void>();

  /** Remember the current notification count (call before checking the database). */
  mark(): number {
    return this.seq;
  }

  notify(): void {
    this.seq++;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Wakes one waiter; with none waiting, the next `wait` returns at once (only one of them:
   *  loops marked before this call and still busy do not all return). So a notification is
   *  never lost, and n loops do not all query the database for one piece of news. */
  notifyOne(): void {
    const [w] = this.waiters;
    if (w) {
      this.waiters.delete(w);
      w();
    } else this.pendingOne = true;
  }
  private pendingOne = false;

  wait(ms: number, since?: number): Promise<void> {
    if (since !== undefined && since !== this.seq) return Promise.resolve();
    if (this.pendingOne) {
      this.pendingOne = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }
}
