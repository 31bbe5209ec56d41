/** Media types of the Zizq HTTP API. */
export const MEDIA = {
  json: "application/json",
  msgpack: "application/msgpack",
  ndjson: "application/x-ndjson",
  msgpackStream: "application/vnd.zizq.msgpack-stream",
  sse: "text/event-stream",
} as const;

/** What `Accept` may ask for on unary endpoints, in the order the server lists them in a 406. */
export const UNARY_TYPES = [MEDIA.json, MEDIA.msgpack] as const;

/** What `Accept` may ask for on `GET /jobs/take`, in the order the server lists them in a 406. */
export const STREAM_TYPES = [MEDIA.sse, MEDIA.ndjson, MEDIA.msgpackStream] as const;
