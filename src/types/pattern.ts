/**
 * A pattern over a payload for `payload` filters and `payloadMatches`: an object matches
 * partially and recursively (every key given must be there and match; other keys are fine);
 * arrays, strings, numbers, booleans and null must be equal (arrays element by element).
 *
 * @example
 * ```ts
 * const pattern: PayloadPattern<{ tenantId: number; user: { name: string; tags: string[] } }> = {
 *   tenantId: 7,
 *   user: { tags: ["vip"] }, // tags is exactly ["vip"]
 * };
 * ```
 */
export type PayloadPattern<Payload> = Payload extends readonly unknown[]
  ? Payload
  : Payload extends object
    ? { readonly [Key in keyof Payload]?: PayloadPattern<Payload[Key]> }
    : Payload;

/**
 * A pattern for `payloadContains` filters and the `payloadContains` function: like
 * `PayloadPattern`, and an array matches every array that contains each of its items somewhere
 * (in any order, other items allowed), each item itself a contains pattern.
 *
 * @example
 * ```ts
 * const pattern: PayloadContainsPattern<{ tags: string[]; items: { sku: string; qty: number }[] }> = {
 *   tags: ["vip"], // "vip" is one of the tags
 *   items: [{ sku: "A-1" }], // some item has sku "A-1"
 * };
 * ```
 */
export type PayloadContainsPattern<Payload> = Payload extends readonly (infer Item)[]
  ? readonly PayloadContainsPattern<Item>[]
  : Payload extends object
    ? { readonly [Key in keyof Payload]?: PayloadContainsPattern<Payload[Key]> }
    : Payload;
