/**
 * Standard Webhooks signing and verification: interop with the reference `standardwebhooks`
 * package both ways, rotation, header shape, secret parsing, and the replay store.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { ZizqArgumentError } from "../../../src/errors/argument-error.ts";
import { ZizqPushRejectedError } from "../../../src/push/errors.ts";
import { MemoryReplayStore } from "../../../src/push/replay-store.ts";
import { generateSecret, parseSecret, parseWebhookHeaders, signDelivery, verifyDelivery } from "../../../src/push/signature.ts";

const body = JSON.stringify({ id: "j1", type: "send_email", queue: "emails", payload: { to: "a@example.com", note: "héllo ✓" } });

async function rejection(promise: Promise<unknown>): Promise<ZizqPushRejectedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZizqPushRejectedError);
    return error as ZizqPushRejectedError;
  }
  throw new Error("expected a rejection");
}

describe("interop with the standardwebhooks package", () => {
  it("our signatures verify with theirs (string and byte bodies)", async () => {
    const secret = generateSecret();
    const headers = await signDelivery(secret, body);
    expect(headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    const bytes = await signDelivery(secret, new TextEncoder().encode(body), { id: "msg_fixed", timestampSec: Math.floor(Date.now() / 1000) });
    expect(bytes["webhook-id"]).toBe("msg_fixed");
    expect(new Webhook(secret).verify(body, bytes)).toEqual(JSON.parse(body));
  });

  it("their signatures verify with ours; a tampered body does not", async () => {
    const secret = generateSecret(24);
    const id = "msg_2Ncn0ZyJDsR8kC0LxN4eDqRw";
    const at = new Date();
    const headers = { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, at, body) };
    const parsed = await verifyDelivery([secret], headers, body);
    expect(parsed.id).toBe(id);
    await verifyDelivery(secret, new Headers(headers), new TextEncoder().encode(body));
    expect((await rejection(verifyDelivery([secret], headers, body.replace("a@", "b@")))).reason).toBe("invalid_signature");
  });

  it("matches the spec's published test vector", async () => {
    // From the Standard Webhooks reference libraries' tests.
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const headers = await signDelivery(secret, '{"test": 2432232314}', { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestampSec: 1614265330 });
    expect(headers["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });
});

describe("signature lists the standardwebhooks package accepts", () => {
  const secret = generateSecret();
  const others = Array.from({ length: 5 }, () => generateSecret());
  const id = "msg_list";

  /** Every secret's `v1` signature of the same delivery, `secret`'s at `position`. */
  async function signatures(position: number, timestampSec: number): Promise<string[]> {
    const list = [...others];
    list.splice(position, 0, secret);
    const signed = await signDelivery(list, body, { id, timestampSec });
    return signed["webhook-signature"].split(" ");
  }

  it.for([
    ["two signatures two spaces apart", async (ts: number) => (await signatures(1, ts)).slice(0, 2).join("  ")],
    ["six signatures, the valid one last", async (ts: number) => (await signatures(5, ts)).join(" ")],
    ["six signatures, the valid one first, runs of spaces", async (ts: number) => (await signatures(0, ts)).join("   ")],
    ["a v1a signature beside them", async (ts: number) => `v1a,${"A".repeat(86)}== ${(await signatures(2, ts)).join(" ")}`],
  ] as const)("%s: both accept", async ([, header]) => {
    const timestampSec = Math.floor(Date.now() / 1000);
    const headers = { "webhook-id": id, "webhook-timestamp": String(timestampSec), "webhook-signature": await header(timestampSec) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect((await verifyDelivery(secret, headers, body)).id).toBe(id);
  });

  it("six signatures none of which is valid: both refuse", async () => {
    const timestampSec = Math.floor(Date.now() / 1000);
    const header = (await signatures(0, timestampSec)).slice(1).join(" ");
    const headers = { "webhook-id": id, "webhook-timestamp": String(timestampSec), "webhook-signature": header };
    expect(() => new Webhook(secret).verify(body, headers)).toThrow("No matching signature found");
    expect((await rejection(verifyDelivery(secret, headers, body))).reason).toBe("invalid_signature");
  });
});

describe("rotation", () => {
  it("signs with every secret and verifies against any listed one", async () => {
    const [older, newer, other] = [generateSecret(), generateSecret(), generateSecret()];
    const both = await signDelivery([older, newer], body);
    expect(both["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(older).verify(body, both)).toBeTruthy();
    expect(new Webhook(newer).verify(body, both)).toBeTruthy();
    await verifyDelivery([newer], both, body);
    await verifyDelivery([other, older], both, body);
    const onlyOld = await signDelivery(older, body);
    await verifyDelivery([older, newer], onlyOld, body);
    expect((await rejection(verifyDelivery([newer], onlyOld, body))).status).toBe(401);
  });
});

describe("header shape", () => {
  const sig = `v1,${btoa(String.fromCharCode(...new Uint8Array(32)))}`;
  const ok = { "webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": sig };
  const reasonOf = (headers: Record<string, string | undefined>) => {
    try {
      parseWebhookHeaders(headers);
      return "ok";
    } catch (error) {
      return `${(error as ZizqPushRejectedError).status} ${(error as ZizqPushRejectedError).reason}`;
    }
  };

  it.for([
    ["well formed", ok, "ok"],
    ["no id", { ...ok, "webhook-id": undefined }, "400 missing_header"],
    ["no timestamp", { ...ok, "webhook-timestamp": undefined }, "400 missing_header"],
    ["no signature", { ...ok, "webhook-signature": undefined }, "401 missing_signature"],
    ["an id with a dot", { ...ok, "webhook-id": "a.b" }, "400 malformed_header"],
    ["an id of 257 characters", { ...ok, "webhook-id": "a".repeat(257) }, "400 malformed_header"],
    ["a duplicated id (joined by the fetch Headers)", { ...ok, "webhook-id": "msg_1, msg_2" }, "400 malformed_header"],
    ["a timestamp in ms (13 digits)", { ...ok, "webhook-timestamp": "1700000000000" }, "400 malformed_header"],
    ["a 12-digit timestamp", { ...ok, "webhook-timestamp": "1".repeat(12) }, "ok"],
    ["a negative timestamp", { ...ok, "webhook-timestamp": "-5" }, "400 malformed_header"],
    ["a duplicated timestamp", { ...ok, "webhook-timestamp": "1700000000, 1700000001" }, "400 malformed_header"],
    ["a signature without version", { ...ok, "webhook-signature": sig.slice(3) }, "401 malformed_signature"],
    ["a short signature", { ...ok, "webhook-signature": `v1,${btoa("x".repeat(31))}` }, "401 malformed_signature"],
    ["a long signature", { ...ok, "webhook-signature": `v1,${btoa("x".repeat(33))}` }, "401 malformed_signature"],
    ["a non-base64 signature", { ...ok, "webhook-signature": `v1,${"!".repeat(43)}=` }, "401 malformed_signature"],
    ["only unknown versions", { ...ok, "webhook-signature": `v1a,${sig.slice(3)}` }, "401 missing_signature"],
    ["unknown versions beside v1", { ...ok, "webhook-signature": `v1a,abc ${sig}` }, "ok"],
    ["a duplicated signature header", { ...ok, "webhook-signature": `${sig}, ${sig}` }, "401 malformed_signature"],
    ["six signatures", { ...ok, "webhook-signature": Array(6).fill(sig).join(" ") }, "ok"],
    ["21 signatures: as many as the 1024-character cap holds", { ...ok, "webhook-signature": Array(21).fill(sig).join(" ") }, "ok"],
    ["22 signatures: past the cap", { ...ok, "webhook-signature": Array(22).fill(sig).join(" ") }, "401 malformed_signature"],
    ["two signatures two spaces apart", { ...ok, "webhook-signature": `${sig}  ${sig}` }, "ok"],
    ["only spaces", { ...ok, "webhook-signature": "   " }, "401 missing_signature"],
    ["an oversized signature header", { ...ok, "webhook-signature": `${sig} v2,${"a".repeat(1100)}` }, "401 malformed_signature"],
  ] as const)("%s", ([, headers, expected]) => {
    expect(reasonOf(headers as Record<string, string | undefined>)).toBe(expected);
  });
});

describe("freshness", () => {
  it("refuses a timestamp past or future of the tolerance, and accepts at its edge", async () => {
    const secret = generateSecret();
    const now = 1_800_000_000_000;
    const at = (offset: number) => signDelivery(secret, body, { timestampSec: now / 1000 + offset });
    for (const offset of [-300, 0, 300]) await verifyDelivery(secret, await at(offset), body, { nowMs: now });
    for (const offset of [-301, 301, -86_400]) {
      expect((await rejection(verifyDelivery(secret, await at(offset), body, { nowMs: now }))).reason).toBe("stale_timestamp");
    }
    await verifyDelivery(secret, await at(-600), body, { nowMs: now, toleranceSec: 600 });
  });
});

describe("secrets", () => {
  it("takes whsec_ base64 keys and refuses anything else with a typed error", async () => {
    expect(parseSecret("whsec_" + btoa("k".repeat(32)))).toHaveLength(32);
    for (const bad of ["", "k".repeat(40), "whsec_", "whsec_not base64!", "whsec_" + btoa("short")]) {
      expect(() => parseSecret(bad)).toThrow(ZizqArgumentError);
    }
    await expect(signDelivery([], body)).rejects.toThrow(ZizqArgumentError);
    await expect(signDelivery(generateSecret(), body, { id: "bad id" })).rejects.toThrow(ZizqArgumentError);
  });
});

describe("MemoryReplayStore", () => {
  it("remembers ids until they expire, and holds at most maxEntries", () => {
    let now = 1000;
    const store = new MemoryReplayStore({ maxEntries: 3, now: () => now });
    expect(store.seen("a", 5000)).toBe(false);
    expect(store.seen("a", 5000)).toBe(true);
    now = 5000;
    expect(store.seen("a", 9000)).toBe(false);
    for (const id of ["b", "c", "d"]) store.seen(id, 9000);
    expect(store.size).toBe(3);
    expect(store.seen("d", 9000)).toBe(true);
    expect(store.seen("a", 9000)).toBe(false); // evicted as the oldest
  });
});
