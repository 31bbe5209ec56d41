/**
 * A payload as a collapsible tree: objects and arrays become `<details>`, leaves their JSON text.
 * Everything is text in escaped HTML; nothing in a payload is ever run or parsed as markup.
 */
import { html } from "./html.ts";
import type { Html } from "./layout.ts";

/** Deeper than this the rest is shown as one JSON block, so a hostile payload cannot blow the page up. */
const MAX_DEPTH = 8;

export function payloadTree(value: unknown, depth = 0): Html {
  if (value === null || typeof value !== "object") return html`<code>${JSON.stringify(value) ?? "undefined"}</code>`;
  if (depth >= MAX_DEPTH) return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return html`<code>${open}${close}</code>`;
  const items = entries.map(([key, item]) =>
    item !== null && typeof item === "object"
      ? html`<details${depth < 2 ? html` open` : ""}><summary><code>${key}</code>: ${Array.isArray(item) ? `[${item.length}]` : `{${Object.keys(item).length}}`}</summary>${payloadTree(item, depth + 1)}</details>`
      : html`<div><code>${key}</code>: ${payloadTree(item, depth + 1)}</div>`,
  );
  return html`<div class="tree">${items}</div>`;
}
