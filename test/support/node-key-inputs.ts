/** The inputs of the Node-client unique-key vectors, and the vectors the reference computes from them. */
import { type NodeHasherOptions, nodeReferenceKey } from "./node-hasher-reference.ts";

export interface NodeKeyInput {
  name: string;
  payload: unknown;
  options: NodeHasherOptions;
}

export interface NodeKeyVector extends NodeKeyInput {
  /** The text fed to SHA-256; absent when the Node client throws. */
  text?: string;
  key?: string;
  /** The Node client throws for this selection (an array hole). */
  throws?: true;
}

const order = { tenantId: 7, items: [{ sku: "B-2", qty: 1 }, { sku: "A-1", qty: 3 }], customer: { name: "Ada", tags: ["vip"] } };

export const NODE_KEY_INPUTS: NodeKeyInput[] = [
  { name: "whole_payload_no_prefix", payload: order, options: {} },
  { name: "whole_payload_type_prefix", payload: order, options: { type: "place_order" } },
  { name: "scalars", payload: [null, true, false, 0, -0, 1, -42, "", "text"], options: {} },
  { name: "empty_containers", payload: { a: {}, b: [], c: [[]], d: [{}] }, options: {} },
  { name: "top_level_string", payload: "hello", options: { type: "t" } },
  { name: "top_level_null", payload: null, options: {} },
  {
    name: "numbers_as_json_stringify_writes_them",
    payload: { big: 1e21, small: 1e-7, third: 0.1 + 0.2, max: Number.MAX_SAFE_INTEGER, over: 2 ** 64, tiny: 5e-324, neg: -2.5e-7 },
    options: {},
  },
  { name: "keys_in_utf16_order", payload: { "😀": 1, "ﬁ": 2, "é": 3, Z: 4, a: 5, "": 6, "10": 7, "9": 8 }, options: {} },
  {
    name: "string_escapes",
    payload: { quote: '"', backslash: "\\", controls: "\u0000\u0001\b\t\n\f\r\u001f\u007f", separators: "\u2028\u2029", slash: "/", astral: "😀" },
    options: {},
  },
  { name: "nested_arrays_of_objects", payload: [{ z: 1, y: [2, { x: 3, w: 4 }] }, [5, [6]]], options: {} },
  { name: "only_top_level_keys", payload: order, options: { only: [".tenantId", ".customer"], type: "place_order" } },
  { name: "only_nested_key", payload: order, options: { only: [".customer.name"] } },
  { name: "only_first_index", payload: order, options: { only: [".items[0].sku"] } },
  { name: "only_contiguous_indices", payload: order, options: { only: [".items[1]", ".items[0]"] } },
  { name: "only_root_anywhere", payload: order, options: { only: [".tenantId", "."] } },
  { name: "only_nothing_found", payload: order, options: { only: [".missing", ".customer.missing"] } },
  { name: "only_null_value_found", payload: { a: null, b: 1 }, options: { only: [".a"] } },
  { name: "only_through_null_skipped", payload: { a: null }, options: { only: [".a.b"] } },
  { name: "only_quoted_key", payload: { "dotted.key": { v: 1 }, other: 2 }, options: { only: ['.["dotted.key"].v'] } },
  { name: "only_escaped_quote_key", payload: { 'say "hi"': 1, other: 2 }, options: { only: ['.["say \\"hi\\""]'] } },
  { name: "only_extra_dots", payload: { a: [1, 2] }, options: { only: [".a.[0]"] } },
  { name: "only_index_leaving_hole", payload: order, options: { only: [".items[1].sku"] }, },
  { name: "only_root_index_leaving_hole", payload: [1, 2, 3], options: { only: [".[2]"] } },
  { name: "except_collected_array", payload: order, options: { except: [".items"], type: "place_order" } },
  { name: "except_nested", payload: order, options: { except: [".customer.tags", ".items[0].qty"] } },
  { name: "except_indices_shift", payload: { a: [1, 2, 3] }, options: { except: [".a[0]", ".a[1]"] } },
  { name: "except_missing_and_mismatched", payload: { a: 1, b: [1] }, options: { except: [".x", ".a.b", ".b.c", ".b[5]"] } },
  { name: "except_root", payload: order, options: { except: ["."] } },
  { name: "except_whole_array_payload_element", payload: [{ id: 1 }, { id: 2 }], options: { except: [".[0]"] } },
];

export function nodeKeyVectors(inputs: readonly NodeKeyInput[]): NodeKeyVector[] {
  return inputs.map((input) => {
    try {
      return { ...input, ...nodeReferenceKey(input.payload, input.options) };
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return { ...input, throws: true };
    }
  });
}
