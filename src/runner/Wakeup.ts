// A wake-up signal for polling loops: `wait(ms)` resolves at the first of `notify()` or the
// timeout. A notify that arrives between `mark()` and `wait()` is not lost: wait returns at once.
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

  wait(ms: number, since?: number): Promise<void> {
    if (since !== undefined && since !== this.seq) return Promise.resolve();
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
