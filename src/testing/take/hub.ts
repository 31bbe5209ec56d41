import { MEDIA } from "../../protocol/media.ts";
import type { StreamFormat } from "../http/negotiate.ts";
import { fail } from "../http/respond.ts";
import type { Holder, StoredJob } from "../store/job.ts";
import type { JobStore } from "../store/store.ts";
import type { ConnectionInfo } from "../types.ts";
import { encodeFrames, HEARTBEAT } from "./frames.ts";

export interface TakeRequest {
  format: StreamFormat;
  queues: Set<string>;
  prefetch: number;
  workerId: string;
}

interface HubConfig {
  heartbeatMs: number;
  globalInFlightLimit: number;
  /** Runs the clock-driven work before a stream claims jobs. */
  beforeTake(): void;
}

const CONTENT_TYPES: Record<StreamFormat, string> = {
  ndjson: MEDIA.ndjson,
  msgpack: MEDIA.msgpackStream,
  sse: MEDIA.sse,
};

/** Every open take stream, and the wake-ups the store sends them. */
export class TakeHub {
  private readonly streams = new Set<TakeStream>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    readonly config: HubConfig,
  ) {}

  open(request: TakeRequest): Response {
    if (this.closed) throw fail(503, "server is shutting down");
    const stream = new TakeStream(String(this.nextId++), request, this.store, this);
    this.streams.add(stream);
    const headers: Record<string, string> = { "content-type": CONTENT_TYPES[request.format] };
    if (request.format === "sse") headers["cache-control"] = "no-cache";
    return new Response(stream.body, { status: 200, headers });
  }

  /** A job became ready: wake idle streams that watch its queue. */
  ready(queue: string): void {
    for (const stream of this.streams) if (stream.watches(queue)) stream.wake();
  }

  /** Capacity was freed: any idle stream may now claim. */
  released(): void {
    for (const stream of this.streams) stream.wake();
  }

  /** How many more jobs the server-wide in-flight limit allows. */
  globalRoom(): number {
    const limit = this.config.globalInFlightLimit;
    return limit === 0 ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.store.inFlight);
  }

  forget(stream: TakeStream): void {
    this.streams.delete(stream);
  }

  connections(): ConnectionInfo[] {
    return [...this.streams].map((stream) => stream.info());
  }

  /** Ends every stream; `abrupt` errors them as a crash would, else they end cleanly as on shutdown. */
  closeAll(abrupt: boolean): void {
    for (const stream of [...this.streams]) stream.end(abrupt);
  }

  /** Ends every stream cleanly and refuses new ones: the server is shutting down. */
  shutdown(): void {
    this.closed = true;
    this.closeAll(false);
  }
}

/** One `GET /jobs/take` response: claims jobs while it has room, frames them, and heartbeats. */
class TakeStream implements Holder {
  readonly body: ReadableStream<Uint8Array>;
  private readonly held = new Map<string, StoredJob>();
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private wakeUp: (() => void) | undefined;
  private closed = false;
  private lastSent = Date.now();
  private heartbeat: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly id: string,
    private readonly request: TakeRequest,
    private readonly store: JobStore,
    private readonly hub: TakeHub,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          this.armHeartbeat(hub.config.heartbeatMs);
        },
        pull: () => this.fill(),
        cancel: () => this.finish(),
      },
      { highWaterMark: 1 },
    );
  }

  watches(queue: string): boolean {
    return this.request.queues.size === 0 || this.request.queues.has(queue);
  }

  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  release(job: StoredJob): void {
    this.held.delete(job.id);
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      workerId: this.request.workerId,
      queues: [...this.request.queues].sort(),
      prefetch: this.request.prefetch,
      held: [...this.held.keys()],
    };
  }

  /** Called when the consumer wants more: claims what prefetch and the global limit allow. */
  private async fill(): Promise<void> {
    while (!this.closed) {
      const prefetch = this.request.prefetch;
      // With unlimited prefetch the reader's pace is the only limit: one job per pull.
      const wanted = prefetch === 0 ? 1 : prefetch - this.held.size;
      const room = Math.min(wanted, this.hub.globalRoom());
      if (room > 0) {
        this.hub.config.beforeTake();
        const jobs = this.store.take(this.request.queues, room, this);
        if (jobs.length > 0) {
          for (const job of jobs) this.held.set(job.id, job);
          this.controller.enqueue(encodeFrames(jobs, this.request.format));
          this.lastSent = Date.now();
          return;
        }
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
  }

  private armHeartbeat(delay: number): void {
    this.heartbeat = setTimeout(() => {
      if (this.closed) return;
      const interval = this.hub.config.heartbeatMs;
      const quiet = Date.now() - this.lastSent;
      if (quiet < interval) return this.armHeartbeat(interval - quiet);
      // A reader that is not keeping up gets no heartbeats piled on top.
      if ((this.controller.desiredSize ?? 0) > 0) this.controller.enqueue(HEARTBEAT[this.request.format]);
      this.lastSent = Date.now();
      this.armHeartbeat(interval);
    }, delay);
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  end(abrupt: boolean): void {
    if (this.closed) return;
    try {
      if (abrupt) this.controller.error(new Error("zizq test server: connection dropped (dropConnections)"));
      else this.controller.close();
    } catch {
      // Already closed by the consumer.
    }
    this.finish();
  }

  /** The stream is gone: everything it held goes back to ready with attempts unchanged. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.hub.forget(this);
    this.wake();
    const held = [...this.held.values()];
    this.held.clear();
    for (const job of held) this.store.requeue(job);
  }
}
