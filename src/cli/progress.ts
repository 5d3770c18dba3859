// A live status line on stderr for long work: redrawn in place on a terminal, and at most one
// plain line every few seconds (only when the text changes) when stderr is a file or a pipe.
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const PLAIN_EVERY_MS = 5_000;

export interface Progress {
  /** Sets the text shown after the spinner and elapsed time. */
  update(text: string): void;
  /** Clears the line (terminal) and stops redrawing. */
  done(): void;
}

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let text = "";
  let frame = 0;
  let lastPlain = 0;
  let lastPlainText = "";
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const draw = () => {
    if (tty) {
      const line = `${FRAMES[frame++ % FRAMES.length]} ${label} ${elapsed()} ${text}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
    } else if (Date.now() - lastPlain >= PLAIN_EVERY_MS && text !== lastPlainText) {
      lastPlain = Date.now();
      lastPlainText = text;
      stream.write(`${label} ${elapsed()} ${text}\n`);
    }
  };
  const timer = setInterval(draw, tty ? 100 : 1000);
  timer.unref();
  return {
    update(t) {
      text = t;
      draw();
    },
    done() {
      clearInterval(timer);
      if (tty) stream.write("\r\x1b[2K");
    },
  };
}
