import { importMsgpack } from "../utils/msgpack.ts";

/**
 * The MessagePack body codec, in its own chunk so that a JSON producer's bundle carries only the
 * import of it. One encoder and one decoder: making either allocates buffers and caches.
 */
export const msgpackCodec: Promise<{ encode(value: unknown): Uint8Array; decode(bytes: Uint8Array): unknown }> = importMsgpack().then(
  ({ Decoder, Encoder }) => {
    const encoder = new Encoder({ ignoreUndefined: true });
    const decoder = new Decoder();
    return { encode: (value) => encoder.encode(value), decode: (bytes) => decoder.decode(bytes) };
  },
);
