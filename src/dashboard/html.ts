// HTML built by a tagged template that escapes every interpolated value: the only way markup
// enters a page is `raw()` (static markup and values already escaped by `html`). Workflow names,
// inputs, outputs and errors are user data and always go through escaping.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Markup written by the dashboard itself (never user data). */
export const raw = (text: string): Html => new Html(text);

export function escapeHtml(v: unknown): string {
  return String(v)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function part(v: unknown): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join("");
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] as string);
  });
  return new Html(out);
}
