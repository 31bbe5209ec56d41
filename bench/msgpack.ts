/**
 * `npm run bench -- msgpack`: @msgpack/msgpack 3.1.3 against msgpackr 2.1.4 on the three
 * MessagePack payloads the client handles: one take-stream job frame (decoded per job), a bulk
 * enqueue body of 1,000 jobs and a bulk ack body of 1,000 ids (both encoded per request).
 *
 * Throughput is the median ops/s of ROUNDS timed rounds after a warm-up. Decoders read the bytes
 * @msgpack/msgpack writes, which have the shape rmp-serde writes (smallest map/int headers,
 * u64 as uint64). Before timing, a wire check prints what each encoder does with the things
 * the Rust server is strict about, and every decoder must read every encoder's output back.
 *
 * In Node, msgpackr loads its optional native string extractor (`msgpackr-extract`) when present;
 * browsers and workerd never have it. Run with MSGPACKR_NATIVE_ACCELERATION_DISABLED=true for the
 * pure-JS figures that matter on the edge.
 */
import { deepStrictEqual } from "node:assert/strict";
import { Decoder, decode, Encoder, encode } from "@msgpack/msgpack";
import { isNativeAccelerationEnabled, Packr, pack, Unpackr, unpack } from "msgpackr";

const ROUNDS = 7;
const ROUND_MS = 150;
const WARMUP_MS = 300;

// ---- Fixtures ------------------------------------------------------------------------------

const NOW = 1_800_000_000_000; // ms timestamps near the server's: above 2^32, so u64 on the wire

/** A taken job as the server frames it: every optional key present (25 keys with nesting). */
function jobFrame(n: number) {
  return {
    id: `03fkq3m2bx1zt7yq8c4ns${String(n).padStart(4, "0")}`,
    type: "send_email",
    queue: "emails",
    priority: 32_768,
    status: "in_flight",
    payload: { to: `user${n}@example.com`, subject: "Welcome aboard", template_id: 42 + n, tags: ["onboarding", "en", 7], score: 0.75 },
    ready_at: NOW + n,
    attempts: 2,
    retry_limit: 25,
    backoff: { exponent: Math.fround(2.5), base_ms: 15_000, jitter_ms: 30_000 },
    dequeued_at: NOW + n + 1_234,
    failed_at: NOW + n + 567,
    retention: { completed_ms: 86_400_000, dead_ms: 604_800_000 },
    purge_at: NOW + 604_800_000,
    unique_key: `email:${n}`,
    unique_while: "active",
    batch: { key: "digest", when: "idle", fold: "latest" },
  };
}

/** A bulk enqueue body: 1,000 jobs, every tenth scheduled (a u64 ready_at in a request). */
const enqueueBody = {
  jobs: Array.from({ length: 1_000 }, (_, n) => ({
    type: "send_email",
    queue: "emails",
    priority: 1_000,
    payload: { to: `user${n}@example.com`, subject: "Welcome aboard", template_id: n, tags: ["onboarding", "en"] },
    retry_limit: 10,
    unique_key: `email:${n}`,
    ...(n % 10 === 0 ? { ready_at: NOW + n * 1_000 } : {}),
  })),
};

/** A bulk ack body: 1,000 ids of 25 characters (scru128). */
const ackBody = { ids: Array.from({ length: 1_000 }, (_, n) => `03fkq3m2bx1zt7yq8c4n${String(n).padStart(5, "0")}`) };

const fixtures = { "job frame": jobFrame(1), "enqueue x1000": enqueueBody, "ack x1000": ackBody } as const;

// ---- Codecs under test ---------------------------------------------------------------------

// msgpackr's Packr defaults to its "records" extension, which rmp-serde cannot read: always
// useRecords: false. variableMapSize gives fixmap headers like everyone else (the default is
// map16 for every map) and skipValues drops undefined keys (the default writes undefined as an
// ext type rmp-serde rejects), matching @msgpack/msgpack's ignoreUndefined.
const msgpackEncoder = new Encoder({ ignoreUndefined: true });
const plainPackr = new Packr({ useRecords: false });
// (skipValues works at run time but is missing from msgpackr 2.1.4's Options type.)
const wireOptions = { useRecords: false, variableMapSize: true, skipValues: [undefined] };
const wirePackr = new Packr(wireOptions);

const encoders: Record<string, (value: unknown) => Uint8Array> = {
  "@msgpack encode()": (value) => encode(value, { ignoreUndefined: true }),
  "@msgpack Encoder (reused)": (value) => msgpackEncoder.encode(value),
  "msgpackr pack()": (value) => pack(value),
  "msgpackr Packr{useRecords:false}": (value) => plainPackr.pack(value),
  "msgpackr Packr{+variableMapSize,skipValues}": (value) => wirePackr.pack(value),
};

// useRecords: false implies mapsAsObjects: true; without it maps decode as `Map`s. msgpackr
// decodes uint64 as BigInt unless int64AsType is "number" — the only variant that gives back
// the numbers @msgpack/msgpack gives.
const msgpackDecoder = new Decoder();
const noRecords = new Unpackr({ useRecords: false });
const objects = new Unpackr({ mapsAsObjects: true, int64AsType: "number" });
const wireUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

const decoders: Record<string, (bytes: Uint8Array) => unknown> = {
  "@msgpack decode()": (bytes) => decode(bytes),
  "@msgpack Decoder (reused)": (bytes) => msgpackDecoder.decode(bytes),
  "msgpackr unpack()": (bytes) => unpack(bytes),
  "msgpackr Unpackr{useRecords:false}": (bytes) => noRecords.unpack(bytes),
  "msgpackr Unpackr{mapsAsObjects,int64:number}": (bytes) => objects.unpack(bytes),
  "msgpackr Unpackr{useRecords:false,mapsAsObjects,int64:number}": (bytes) => wireUnpackr.unpack(bytes),
};

// ---- Wire check ----------------------------------------------------------------------------

/** The MessagePack type byte in front of the value of `key` (the first occurrence). */
function markerAfterKey(bytes: Uint8Array, key: string): string {
  const needle = new TextEncoder().encode(key);
  outer: for (let i = 0; i + needle.length < bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    const marker = bytes[i + needle.length] as number;
    return ({ 0xcf: "uint64", 0xcb: "float64", 0xce: "uint32" } as Record<number, string>)[marker] ?? `0x${marker.toString(16)}`;
  }
  return "absent";
}

function wireCheck(): boolean {
  let ok = true;
  const frame = fixtures["job frame"];
  console.log("wire check: job frame bytes, ready_at type, and {a: 1, b: undefined} (rmp-serde-shaped: 81a16101)");
  for (const [name, enc] of Object.entries(encoders)) {
    const small = Buffer.from(enc({ a: 1, b: undefined })).toString("hex");
    console.log(`  ${name.padEnd(44)} ${String(enc(frame).length).padStart(4)} B  ready_at ${markerAfterKey(enc(frame), "ready_at").padEnd(8)} ${small}`);
  }
  console.log("cross-decode (every decoder reads every encoder's output; timestamps must come back as the same numbers):");
  for (const [fixture, value] of Object.entries(fixtures)) {
    for (const [encName, enc] of Object.entries(encoders)) {
      const bytes = enc(value);
      for (const [decName, dec] of Object.entries(decoders)) {
        try {
          deepStrictEqual(dec(bytes), value);
        } catch (error) {
          const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
          const why = /BigInt|bigint|\d+n\b/.test(String((error as { message?: string }).message)) ? "uint64 -> BigInt" : message;
          // The variants we would ship must pass; the others are here to show why they are not shipped.
          if (decName.includes("int64:number")) {
            ok = false;
            console.log(`  FAIL ${fixture}: ${encName} -> ${decName}: ${why}`);
          } else if (fixture === "job frame") {
            const verdict = why === "uint64 -> BigInt" ? "refused as expected (not shipped: timestamps must be numbers)" : "not shipped";
            console.log(`  ${verdict}: ${encName} -> ${decName}: ${why}`);
          }
        }
      }
    }
  }
  return ok;
}

// ---- Timing --------------------------------------------------------------------------------

/** Median ops/s of `fn` over ROUNDS rounds of about ROUND_MS each, after WARMUP_MS of warm-up. */
function opsPerSecond(fn: () => unknown): number {
  const until = (ms: number) => {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while ((elapsed = performance.now() - start) < ms) {
      for (let i = 0; i < 16; i++) fn();
      ops += 16;
    }
    return ops / (elapsed / 1000);
  };
  until(WARMUP_MS);
  const rates = Array.from({ length: ROUNDS }, () => until(ROUND_MS)).sort((a, b) => a - b);
  return rates[Math.floor(ROUNDS / 2)] as number;
}

function table(title: string, rows: [string, (value: unknown) => unknown][], input: (fixture: unknown) => unknown): void {
  const names = Object.keys(fixtures);
  console.log(`\n${title.padEnd(62)}${names.map((name) => name.padStart(14)).join("")}`);
  for (const [name, fn] of rows) {
    const rates = Object.values(fixtures).map((fixture) => {
      const arg = input(fixture);
      return Math.round(opsPerSecond(() => fn(arg)));
    });
    console.log(`  ${name.padEnd(60)}${rates.map((rate) => rate.toLocaleString("en").padStart(14)).join("")}`);
  }
}

export async function run(): Promise<void> {
  console.log(`node ${process.version}; msgpackr native extractor: ${isNativeAccelerationEnabled ? "on" : "off (pure JS, as on the edge)"}`);
  const ok = wireCheck();
  table("encode ops/s (median)", Object.entries(encoders) as [string, (value: unknown) => unknown][], (fixture) => fixture);
  const server = new Map(Object.values(fixtures).map((fixture) => [fixture, encode(fixture)]));
  table("decode ops/s (median) of rmp-serde-shaped bytes", Object.entries(decoders) as [string, (value: unknown) => unknown][], (fixture) => server.get(fixture as never));
  if (!ok) process.exitCode = 1;
}
