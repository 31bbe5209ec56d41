/**
 * Writes test/fixtures/node-unique-key-vectors.json: the official Node client's unique keys for
 * a set of payloads and options, computed by the independent reference implementation of its
 * published algorithm in test/support/node-hasher-reference.ts (not by src/). Run it with
 * `npx tsx scripts/node-key-vectors.ts` after changing the inputs below; the test checks that the
 * file still matches the reference.
 */
import { writeFileSync } from "node:fs";
import { NODE_KEY_INPUTS, nodeKeyVectors } from "../test/support/node-key-inputs.ts";

const file = new URL("../test/fixtures/node-unique-key-vectors.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(nodeKeyVectors(NODE_KEY_INPUTS), null, 2)}\n`);
console.log(`wrote ${NODE_KEY_INPUTS.length} vectors to ${file.pathname}`);
