/** A point in time: a `Date` or ms since the epoch. */
export type Instant = Date | number;

/**
 * A length of time: ms, or a string such as `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`.
 *
 * @example
 * ```ts
 * await client.enqueue(SendEmail, payload, { delay: "5m" });
 * ```
 */
export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d"}`;
