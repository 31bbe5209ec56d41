import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { jsonFrameId, msgpackFrameId } from "../../../src/stream/frame-id.ts";

const ID = "03fkq3m2bx1zt7yq8c4ns0001";

describe("jsonFrameId", () => {
  it.for([
    `{"id":"${ID}","type":"t"}`,
    `{"id":"${ID}"`,
    ` \t{ "id" : \r\n "${ID}" ,`,
    `{"id":"${ID}","payload":nope`,
  ])("reads the id at the head of %j", (text) => {
    expect(jsonFrameId(text)).toBe(ID);
  });

  it("reads from `start`, and accepts any 1 to 64 chars but a quote, a backslash or a control char", () => {
    expect(jsonFrameId(`data: {"id":"${ID}"}`, 5)).toBe(ID);
    expect(jsonFrameId('{"id":"a"}')).toBe("a");
    expect(jsonFrameId('{"id":"é 😀-_."}')).toBe("é 😀-_.");
    expect(jsonFrameId(`{"id":"${"z".repeat(64)}"}`)).toBe("z".repeat(64));
  });

  it.for([
    ["an id not first", `{"type":"t","id":"${ID}"}`],
    ["an id cut short", `{"id":"${ID.slice(0, 10)}`],
    ["an empty id", '{"id":""}'],
    ["an id of 65 chars", `{"id":"${"z".repeat(65)}"}`],
    ["an escaped quote", '{"id":"a\\"b"}'],
    ["an escape", '{"id":"a\\u0062"}'],
    ["a number", '{"id":7}'],
    ["an array", `["${ID}"]`],
    ["a key like id", `{"idx":"${ID}"}`],
    ["nothing", ""],
  ])("finds none in %s", ([, text]) => {
    expect(jsonFrameId(text as string)).toBeUndefined();
  });
});

describe("msgpackFrameId", () => {
  const whole = (bytes: Uint8Array) => msgpackFrameId(bytes, 0, bytes.byteLength);

  it("reads a fixstr or str8 id after a fixmap, map16 or map32 header", () => {
    expect(whole(encode({ id: ID, type: "t" }))).toBe(ID);
    const wide = Object.fromEntries([["id", ID], ...Array.from({ length: 20 }, (_, i) => [`k${i}`, i])]);
    expect(encode(wide)[0]).toBe(0xde);
    expect(whole(encode(wide))).toBe(ID);
    expect(whole(Uint8Array.of(0xdf, 0, 0, 0, 1, 0xa2, 0x69, 0x64, 0xa3, 0x61, 0x62, 0x63))).toBe("abc");
    const long = "y".repeat(40);
    expect(encode({ id: long })[4]).toBe(0xd9);
    expect(whole(encode({ id: long }))).toBe(long);
  });

  it("reads between `start` and `end` only, and finds none when the head is cut short", () => {
    const body = encode({ id: ID, type: "t" });
    const framed = new Uint8Array(4 + body.byteLength + 3);
    framed.set(body, 4);
    expect(msgpackFrameId(framed, 4, 4 + body.byteLength)).toBe(ID);
    const head = 1 + 3 + 1 + ID.length;
    expect(msgpackFrameId(framed, 4, 4 + head)).toBe(ID);
    for (let end = 4; end < 4 + head; end++) expect(msgpackFrameId(framed, 4, end), `end ${end}`).toBeUndefined();
  });

  it.for([
    ["an id not first", encode({ type: "t", id: ID })],
    ["an array", encode([ID])],
    ["an empty map", Uint8Array.of(0x80, 0xa2, 0x69, 0x64, 0xa1, 0x61)],
    ["an empty map16", Uint8Array.of(0xde, 0, 0, 0xa2, 0x69, 0x64, 0xa1, 0x61)],
    ["an integer id", encode({ id: 7 })],
    ["an empty id", encode({ id: "" })],
    ["an id of 65 chars", encode({ id: "z".repeat(65) })],
    ["an id with a quote", encode({ id: 'a"b' })],
    ["an id that is not UTF-8", Uint8Array.of(0x81, 0xa2, 0x69, 0x64, 0xa2, 0xc3, 0x28)],
    ["nothing", new Uint8Array(0)],
  ] as const)("finds none in %s", ([, bytes]) => {
    expect(whole(bytes)).toBeUndefined();
  });
});
