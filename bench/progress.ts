// A live count on stderr for long phases: rewritten in place on a terminal, one line every few
// seconds otherwise (CI logs stay short).
export class Progress {
  private label = "";
  private total = 0;
  private done = 0;
  private last = 0;
  private started = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly quiet = false) {}

  start(label: string, total: number): void {
    this.end();
    this.label = label;
    this.total = total;
    this.done = 0;
    this.started = performance.now();
    this.last = 0;
    this.draw(true);
  }

  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  set(done: number): void {
    this.done = done;
    this.draw(false);
  }

  end(): void {
    if (!this.label) return;
    this.draw(true);
    if (this.tty && !this.quiet) process.stderr.write("\n");
    this.label = "";
  }

  note(text: string): void {
    if (this.quiet) return;
    if (this.tty && this.label) process.stderr.write("\r\x1b[K");
    process.stderr.write(`${text}\n`);
    if (this.label) this.draw(true);
  }

  private draw(force: boolean): void {
    if (this.quiet || !this.label) return;
    const now = performance.now();
    if (!force && now - this.last < (this.tty ? 200 : 5000)) return;
    this.last = now;
    const s = (now - this.started) / 1000;
    const rate = s > 0 ? Math.round(this.done / s) : 0;
    const line = `  ${this.label}: ${this.done}/${this.total} (${s.toFixed(1)} s, ${rate}/s)`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(`${line}\n`);
  }
}
