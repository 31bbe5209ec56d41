/**
 * A bounded fuzz pass over the test server's HTTP routes: odd but plausible paths, query
 * strings, headers and bodies must never get a 500 or leave a request unanswered. Filters run
 * on the jq thread, so a generated filter that loops is bounded like any other request.
 */
import { encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nodeJqThread } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";

/** Strings that have broken parsers before: empty, ranges, signs, huge numbers, escapes, jq. */
const oddText = fc.oneof(
  fc.constantFrom(
    "", " ", "+", "-1", "0", "1", "65536", "4294967296", "18446744073709551616", "1e3", "0x10", "..", "5..", "..5", "3..1",
    "1...2", "%", "%zz", "%00", "\u0000", "\ud800", "é", "a,b,,", ",", "asc", "desc", "ready", "in_flight", "null", "true",
    "[]", "{}", ".", ".a", "..", "halt", "error", "until(false; .)", "[range(1e9)] | length", "$__loc__", "input", "#",
    "0000000000000000000000000", "zzzzzzzzzzzzzzzzzzzzzzzzz", "a".repeat(300),
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.nat().map(String),
);

/** jq for `filter` parameters: runtime errors, stoppers, loops, odd syntax. */
const jqSnippet = fc.oneof(
  fc.constantFrom(
    ".a == 1", ".", "..", "halt", "halt_error(2)", "error", "error(null)", "input", "inputs", "debug", "$__loc__", "env", "until(false; .)",
    "[range(1e9)] | length", "def f: f; f", "limit(-1; .[])", ".[] | .x", "getpath([1])", "tojson | fromjson", "@base64d", "ltrimstr(1)",
    "test(\"(\")", "splits(\"[\")", "label $out | break $out", "reduce range(5) as $i (0; . + $i)", ".a |= empty", "$x", "nope", "if . then 1",
    "", " ", "# comment", ".[", "\"\\u0000\"", "infinite", "nan < 1", "-(1)", "[.[]?] | implode", "tostring * 3",
  ),
  oddText,
);

const QUERY_KEYS = ["id", "status", "queue", "type", "priority", "ready_at", "attempts", "filter", "order", "limit", "from", "prefetch", "x"];

const queryPair = fc.oneof(
  fc.tuple(fc.constant("filter"), jqSnippet),
  fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 4 })), oddText),
);

const query = fc
  .array(queryPair, { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`));

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A path segment: a job id the server holds (`{id}`), odd text percent-encoded, or a bad escape. */
const segment = fc.oneof(
  { arbitrary: fc.constant("{id}"), weight: 3 },
  oddText.map((text) => encodeURIComponent(text.replace(LONE_SURROGATE, "\ufffd")) || "x"),
  fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", ".", "..", "a%2Fb"),
);

type Route = readonly [method: string, path: string];

/** The routes the server has, by method (POST /reset is left to the unknown mix: it wipes the jobs). */
const knownRoute = fc.oneof<fc.Arbitrary<Route>[]>(
  fc.constantFrom<Route>(
    ["GET", "/health"],
    ["GET", "/version"],
    ["GET", "/queues"],
    ["GET", "/jobs"],
    ["POST", "/jobs"],
    ["PATCH", "/jobs"],
    ["DELETE", "/jobs"],
    ["POST", "/jobs/bulk"],
    ["POST", "/jobs/success"],
    ["GET", "/jobs/count"],
    ["GET", "/jobs/take"],
    ["GET", "/crons"],
  ),
  fc.tuple(fc.constantFrom("GET", "PATCH", "DELETE"), segment).map(([method, id]): Route => [method, `/jobs/${id}`]),
  fc.tuple(fc.constantFrom("success", "failure", "errors"), segment).map(([tail, id]): Route => [tail === "errors" ? "GET" : "POST", `/jobs/${id}/${tail}`]),
  fc.tuple(segment, segment).map(([id, attempt]): Route => ["GET", `/jobs/${id}/errors/${attempt}`]),
  fc.tuple(fc.constantFrom("GET", "PUT", "PATCH", "DELETE"), segment).map(([method, group]): Route => [method, `/crons/${group}`]),
  segment.map((group): Route => ["POST", `/crons/${group}/entries`]),
  fc.tuple(fc.constantFrom("GET", "PUT", "PATCH", "DELETE"), segment, segment).map(([method, group, entry]): Route => [method, `/crons/${group}/entries/${entry}`]),
);

const anyRoute: fc.Arbitrary<Route> = fc.tuple(
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
  fc.oneof(fc.constantFrom("/reset", "/jobs/take", "/nope"), segment.map((id) => `/jobs/${id}`), knownRoute.map(([, path]) => path)),
);

/** Field values of every request body the server reads, mixed with odd ones. */
const fieldValue = fc.oneof(
  oddText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  fc.record({ key: oddText, when: jqSnippet, fold: jqSnippet }),
  fc.record({ exponent: fc.double(), base_ms: fc.integer(), jitter_ms: fc.integer() }),
  fc.record({ completed_ms: fc.integer(), dead_ms: fc.integer() }),
);

const FIELDS = [
  "type", "queue", "payload", "priority", "ready_at", "retry_limit", "backoff", "retention", "unique_key", "unique_while",
  "batch", "jobs", "ids", "message", "error_type", "backtrace", "retry_at", "kill", "name", "expression", "timezone", "paused",
  "job", "entries",
];

const objectBody = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 6 });

/** A body that names the required fields, so requests get past the first field check. */
const plausibleBody = fc
  .record({ type: fc.oneof(fc.constant("t"), oddText), queue: fc.oneof(fc.constant("q"), oddText), payload: fc.jsonValue({ maxDepth: 3 }) })
  .chain((base) => objectBody.map((extra) => ({ ...base, ...extra })));

const body = fc.oneof(
  fc.constant(undefined),
  fc.tuple(fc.oneof(objectBody, plausibleBody, fc.jsonValue({ maxDepth: 3 })), fc.constantFrom("json", "msgpack")),
  fc.uint8Array({ maxLength: 16 }).map((bytes) => [bytes, "raw"] as const),
);

const request = fc.record({
  route: fc.oneof({ arbitrary: knownRoute, weight: 5 }, { arbitrary: anyRoute, weight: 1 }),
  /** Which held job a `{id}` segment names. */
  pick: fc.nat(),
  query,
  body,
  accept: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    fc.constantFrom("*/*", "application/json", "application/msgpack", "text/html", "application/x-ndjson", "text/event-stream", ""),
  ),
});

type Generated = typeof request extends fc.Arbitrary<infer T> ? T : never;

function toRequest({ route: [method, template], pick, query, body, accept }: Generated, ids: readonly string[]): Request {
  const path = template.replaceAll("{id}", () => ids[pick % ids.length] ?? "x");
  const headers = new Headers();
  if (accept !== undefined) headers.set("accept", accept);
  let payload: BodyInit | undefined;
  if (body && method !== "GET" && method !== "HEAD") {
    const [value, kind] = body;
    if (kind === "raw") payload = value as Uint8Array<ArrayBuffer>;
    else if (kind === "msgpack") {
      payload = encode(value) as Uint8Array<ArrayBuffer>;
      headers.set("content-type", "application/msgpack");
    } else {
      payload = JSON.stringify(value);
      headers.set("content-type", "application/json");
    }
  }
  return new Request(`http://zizq.test${path}${query}`, { method, headers, body: payload });
}

/** Rejects when a request is still unanswered after this long: a hang, not a slow answer. */
const HANG_MS = 10_000;

async function answer(server: ReturnType<typeof createTestServer>, req: Request): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const res = await Promise.race([server.fetch(req), hang]);
    // A take stream never ends on its own: its status and headers are the answer.
    if (new URL(req.url).pathname === "/jobs/take") await res.body?.cancel();
    else await Promise.race([res.arrayBuffer(), hang]);
    return res.status;
  } finally {
    clearTimeout(timer);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("fuzzing the test server's routes", () => {
  it.for(["free", "pro"] as const)("%s tier: no 500 and no hang on odd paths, queries, headers and bodies", async (license) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const server = createTestServer({ license, jqThread: nodeJqThread, filterTimeoutMs: 1_000 });
    try {
      // Jobs to find, patch, ack and delete, of every payload shape; topped up as requests delete them.
      const ids: string[] = [];
      const topUp = async () => {
        const count = (await (await server.fetch("http://zizq.test/jobs/count")).json()) as { count: number };
        for (const payload of count.count < 3 ? [{ a: 1 }, "text", 5, null, [1, 2]] : []) {
          const res = await server.fetch("http://zizq.test/jobs", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ type: "t", queue: "q", payload }),
          });
          ids.push(((await res.json()) as { id: string }).id);
        }
      };
      await fc.assert(
        fc.asyncProperty(request, async (generated) => {
          await topUp();
          const status = await answer(server, toRequest(generated, ids.slice(-5)));
          expect(status, JSON.stringify(generated)).not.toBe(500);
        }),
        { numRuns: 400, interruptAfterTimeLimit: 20_000, seed: license === "pro" ? 1010 : 2020 },
      );
      expect(logged.mock.calls).toEqual([]);
    } finally {
      server.close();
    }
  });
});
