/**
 * HTML built from a tagged template that escapes every value it interpolates: text, numbers,
 * arrays of either. Only `Html` (another template's result, or `raw` for the constant CSS and
 * script) goes in as it is. Hono has the same helper; ours keeps `zizq-edge/hono` loadable where
 * hono is not installed (the push handler needs none).
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** An interpolated value: markup as it is, nothing for absent values, escaped text for the rest. */
function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join("");
  if (value === undefined || value === null || typeof value === "boolean") return "";
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += piece(values[i]) + strings[i + 1]!;
  return new Html(text);
}

/** Markup taken as it is: only for constants written in this folder. */
export function raw(text: string): Html {
  return new Html(text);
}
