import type { TakeConnection } from "../client/take.ts";
import type { Job } from "../types/job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqFrameError } from "../errors/frame-error.ts";
import { ZizqHttpError } from "../errors/http-error.ts";
import { ZizqRedirectError } from "../errors/redirect-error.ts";
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import { describeCause, type FrameSink } from "../stream/options.ts";
import { backoffDelay, sleep } from "../utils/backoff.ts";
import type { Fifo } from "../utils/fifo.ts";
import { StreamLostError } from "./abort-reasons.ts";
import type { WorkerSettings } from "./worker-options.ts";

/** One take stream and the jobs it delivered. */
export interface Connection {
  readonly id: number;
  /** Aborting it closes the take request. */
  readonly stream: AbortController;
  /** The signal of this stream's handlers, unless a job timeout gives each its own. */
  readonly handlers: AbortController;
  readonly sink: FrameSink;
  /** Jobs received while every handler slot was busy. */
  readonly buffer: Fifo<Job<unknown>>;
  lastByteAt: number;
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** The stream broke: the server has handed its unacked jobs back. */
  lost: boolean;
}

/** What the take loop needs of the run it serves. */
export interface TakeHost {
  readonly settings: WorkerSettings;
  /** The take request's prefetch. */
  readonly prefetch: number;
  /** Fires when the run begins to stop: cuts reconnect waits short. */
  readonly stopping: AbortSignal;
  /** A take request not yet answered: a stop aborts it. */
  opening: Connection | undefined;
  /** Whether the run still takes jobs (it has not begun to stop). */
  taking(): boolean;
  /** A new connection, its sink feeding the run. */
  connection(): Connection;
  /** The stream of `conn` is open. */
  opened(conn: Connection, contentType: string | null): void;
  /** The stream of `conn` ended, for `error` (a `WorkerStoppedError` when the run closed it). */
  ended(conn: Connection, error: unknown): void;
}

/**
 * Opens the take stream, reads it until it breaks, and reopens it with backoff, until the run
 * stops. Rejects when the server refuses the take request in a way retrying cannot mend.
 */
export async function takeLoop(host: TakeHost): Promise<void> {
  const settings = host.settings;
  let attempt = 0;
  // Open failures since the stream was last up: the first is logged with its error, later ones in a line each.
  let failures = 0;
  while (host.taking()) {
    const conn = host.connection();
    host.opening = conn;
    let opened: TakeConnection;
    try {
      opened = await settings.client.openTake({
        queues: settings.queues,
        prefetch: host.prefetch,
        format: settings.format,
        workerId: settings.workerId,
        maxFrameBytes: settings.maxFrameBytes,
        signal: conn.stream.signal,
        // The silence watchdog starts with the response; until then this deadline stands in for it.
        openTimeoutMs: settings.idleTimeoutMs,
      });
    } catch (error) {
      if (!host.taking()) return;
      if (isFatal(error)) throw error;
      attempt++;
      failures++;
      const delayMs = backoffDelay(settings.reconnect, attempt);
      const retrying = `retrying in ${Math.round(delayMs)} ms`;
      const what = error instanceof ZizqTimeoutError ? `the take request had no answer within ${settings.idleTimeoutMs} ms` : "could not open the take stream";
      if (failures === 1) settings.logger.warn(`${what}; ${retrying}`, { error });
      else settings.logger.warn(`${what} (attempt ${failures}: ${describeCause(error)}); ${retrying}`);
      await sleep(delayMs, host.stopping);
      continue;
    } finally {
      host.opening = undefined;
    }
    if (!host.taking()) {
      await opened.body.cancel().catch(noop);
      return;
    }
    if (failures > 0) settings.logger.info(`the take stream is open again after ${failures === 1 ? "a failed attempt" : `${failures} failed attempts`}`);
    failures = 0;
    const openedAt = performance.now();
    // Before the onConnect hooks run: one that reads stats() sees a fresh stream, not one silent since start.
    conn.lastByteAt = openedAt;
    host.opened(conn, opened.contentType);
    host.ended(conn, await read(conn, opened, settings.idleTimeoutMs));
    if (!host.taking()) return;
    if (performance.now() - openedAt >= settings.reconnect.healthyAfterMs) attempt = 0;
    attempt++;
    await sleep(backoffDelay(settings.reconnect, attempt), host.stopping);
  }
}

/**
 * Feeds the stream's chunks to its decoder, which hands jobs to the sink synchronously: no
 * stream stage or promise per job. A stream silent for `idleTimeoutMs` is aborted. Resolves with
 * why the stream ended (the abort reason when it was closed from this side).
 */
async function read(conn: Connection, { body, jobs }: TakeConnection, idleTimeoutMs: number): Promise<unknown> {
  const reader = body.getReader();
  const sink = conn.sink;
  const signal = conn.stream.signal;
  // Not every fetch ends a body when its signal aborts (an in-process one need not): cancel it too.
  const onAbort = (): void => void reader.cancel(signal.reason).catch(noop);
  signal.addEventListener("abort", onAbort, { once: true });
  conn.lastByteAt = performance.now();
  conn.watchdog = setTimeout(checkSilence, idleTimeoutMs, conn, idleTimeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) return signal.reason;
      if (done) {
        jobs.flush(sink);
        return new StreamLostError("the server ended the take stream");
      }
      conn.lastByteAt = performance.now();
      jobs.transform(value, sink);
    }
  } catch (error) {
    return signal.aborted ? signal.reason : error;
  } finally {
    clearTimeout(conn.watchdog);
    signal.removeEventListener("abort", onAbort);
    if (!signal.aborted) conn.stream.abort();
    reader.cancel().catch(noop);
  }
}

/** The watchdog: one timer per stream, re-armed for the time left rather than reset on every chunk. */
function checkSilence(conn: Connection, limit: number): void {
  const silent = performance.now() - conn.lastByteAt;
  if (silent < limit) {
    conn.watchdog = setTimeout(checkSilence, limit - silent, conn, limit);
    return;
  }
  conn.stream.abort(new StreamLostError(`the take stream was silent for ${Math.round(silent)} ms (no job, no heartbeat); reopening it`));
}

/** Refusals that retrying cannot fix: a 4xx to the take request, a stream framing we cannot read, a bad option. */
function isFatal(error: unknown): boolean {
  // A redirect, like a 4xx, means a wrong url or a proxy in the way: retrying cannot mend it.
  if (error instanceof ZizqRedirectError) return true;
  if (error instanceof ZizqHttpError) return error.status >= 400 && error.status < 500;
  return error instanceof ZizqArgumentError || (error instanceof ZizqFrameError && error.reason === "unsupported_format");
}

function noop(): void {}
