/** Thrown by the value codec for a value that cannot be stored losslessly (a function, a
 *  symbol, an instance of a non-plain class, a cycle in `encodeValue`). `path` locates the
 *  offending part, e.g. `args[0].cb`; the message starts with it. */
export class UnserializableValueError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path} ${problem}`);
    this.name = "UnserializableValueError";
    this.path = path;
  }
}
