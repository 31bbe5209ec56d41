import { ZizqConnectionError } from "../errors/connection-error.ts";
import { ZizqFrameError } from "../errors/frame-error.ts";
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import type { ZizqRequestInfo } from "../errors/zizq-error.ts";
import { MEDIA } from "../protocol/media.ts";
import { REPLIES, shapeProblem } from "../protocol/replies.ts";
import type { WireJob } from "../protocol/wire.ts";
import { type FrameDecoderOptions, type FrameSink, type FrameTransformer, skipOrThrow } from "../stream/options.ts";
import { decodeBody, type Format, FORMATS } from "./codec.ts";
import { httpError } from "./failures.ts";
import { aborted } from "../utils/aborted.ts";
import { checkQueues } from "../protocol/names.ts";
import { checkHeader, checkObject, checkOneOf, checkSignal } from "../utils/arguments.ts";
import { checkTimerMs } from "../utils/duration.ts";
import { integerAtLeast } from "../utils/integer.ts";
import type { Transport } from "./transport.ts";
import type { Job } from "../types/job.ts";
import { job } from "../protocol/mapping/job.ts";

/** Options of `client.take()`; `maxFrameBytes` caps one job frame. */
export interface TakeOptions extends FrameDecoderOptions {
  /**
   * Queues to take from; all queues when left out or empty.
   * @default all queues
   */
  queues?: readonly string[];
  /**
   * Jobs the stream may hold unacked; 0 means no limit.
   * @default 1 (the server's default)
   */
  prefetch?: number;
  /**
   * Framing of the stream.
   * @default the client's format (NDJSON for JSON)
   */
  format?: Format;
  /** Shows up in the server's logs. */
  workerId?: string;
  /** Aborting it closes the stream; the jobs it held go back to ready. */
  signal?: AbortSignal;
  /**
   * No response headers within this many ms (a load balancer that accepts and never answers, a
   * half-open connection): the request is abandoned with a `ZizqTimeoutError`. Zizq answers a
   * take's headers at once.
   * @default no deadline
   */
  openTimeoutMs?: number;
}

/** An open take response and the decoder of its framing, which turns its bytes into jobs. */
export interface TakeConnection {
  body: ReadableStream<Uint8Array>;
  contentType: string | null;
  jobs: FrameTransformer;
}

/** `GET /jobs/take` as a stream of decoded jobs. */
export async function takeStream(transport: Transport, options: TakeOptions): Promise<ReadableStream<Job>> {
  const { body, jobs } = await openTake(transport, options);
  return body.pipeThrough((await import("../stream/frames.ts")).frameStream(jobs) as TransformStream<Uint8Array, Job>);
}

/**
 * Opens `GET /jobs/take` with plain `fetch` (no timeout, no retry: it never ends by design). The
 * Worker drives the decoder by hand, chunk by chunk, with no stream stage per job.
 */
export async function openTake(transport: Transport, options: TakeOptions): Promise<TakeConnection> {
  checkObject("options", options, true);
  checkQueues("queues", options.queues);
  checkOneOf("format", options.format, FORMATS);
  if (options.workerId !== undefined) checkHeader("workerId", "worker-id", options.workerId);
  checkSignal("signal", options.signal);
  checkTimerMs("openTimeoutMs", options.openTimeoutMs, 1);
  const params = new URLSearchParams();
  if (options.queues && options.queues.length > 0) params.set("queue", options.queues.join(","));
  if (options.prefetch !== undefined) params.set("prefetch", String(integerAtLeast("prefetch", options.prefetch, 0)));
  const query = params.toString();
  const path = query === "" ? "/jobs/take" : `/jobs/take?${query}`;
  const request = transport.requestInfo("GET", path);
  const msgpack = (options.format ?? transport.format) === "msgpack";
  const headers: Record<string, string> = {
    ...transport.headers,
    accept: msgpack ? MEDIA.msgpackStream : MEDIA.ndjson,
  };
  if (options.workerId !== undefined) headers["worker-id"] = options.workerId;

  // The decoders load with the first take, so producer-only bundles never carry them, and
  // MessagePack's only with a MessagePack take. They are loaded, and the options checked, before
  // the request: a take must not fail after the server has started handing it jobs.
  const streams = await import("../stream/frames.ts");
  streams.maxFrameBytes(options);
  const msgpackFrames = msgpack ? await streams.loadMsgpackFrames() : undefined;
  const opening = new AbortController();
  const forward = () => opening.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener("abort", forward, { once: true });
  const { openTimeoutMs } = options;
  const deadline = openTimeoutMs && setTimeout(() => opening.abort(new ZizqTimeoutError(request, openTimeoutMs)), openTimeoutMs);
  let response: Response;
  try {
    // Never followed: a redirect is refused as a `ZizqRedirectError` below.
    const answer = transport.fetch(request.url, { headers, signal: opening.signal, redirect: "manual" });
    // A response that comes after an abort would hold jobs nobody reads.
    answer.then((late) => {
      if (opening.signal.aborted) void late.body?.cancel().catch(() => undefined);
    }, () => undefined);
    // Raced, so that a fetch that ignores its signal cannot hold the caller.
    response = await Promise.race([answer, aborted(opening.signal)]);
  } catch (error) {
    const reason: unknown = opening.signal.reason;
    if (reason instanceof ZizqTimeoutError) throw reason;
    if (opening.signal.aborted) throw error;
    throw new ZizqConnectionError(request, error);
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener("abort", forward);
  }
  if (!response.ok || !response.body) throw httpError(request, response, await decodeBody(response).catch(() => undefined));
  let frames: FrameTransformer;
  try {
    frames = streams.takeTransformer(response.headers.get("content-type"), options, msgpackFrames);
  } catch (error) {
    // Closing the stream hands back whatever the server already claimed for it.
    await response.body.cancel().catch(() => undefined);
    throw error;
  }
  return { body: response.body, contentType: response.headers.get("content-type"), jobs: toJobs(frames, request) };
}

/**
 * Decodes frames straight into jobs, one stage rather than two. A frame that is not a job (a
 * field missing or of the wrong type) is a `malformed` frame: skipped where the sink can skip,
 * and its job killed by the Worker when its id is readable, since its bytes will not change.
 */
function toJobs(frames: FrameTransformer, request: ZizqRequestInfo): FrameTransformer {
  let jobs: FrameSink | undefined;
  const toJob = (frame: unknown, sink: FrameSink): void => {
    const problem = shapeProblem(REPLIES.jobWithPayload, frame);
    if (problem === undefined) return sink.enqueue(job(frame as WireJob));
    const id = (frame as { id?: unknown }).id;
    const jobId = typeof id === "string" && id !== "" ? id : undefined;
    skipOrThrow(sink, new ZizqFrameError("malformed", `${request.method} ${request.path}: a frame is not a job: ${problem}`, { jobId }));
  };
  const sinkFor = (sink: FrameSink): FrameSink => (jobs ??= { enqueue: (frame) => toJob(frame, sink), skip: sink.skip?.bind(sink) });
  return {
    transform: (chunk, sink) => frames.transform(chunk, sinkFor(sink)),
    flush: (sink) => frames.flush(sinkFor(sink)),
  };
}
