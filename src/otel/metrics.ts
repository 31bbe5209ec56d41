import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";
import type { WorkerHooks } from "../worker/worker-options.ts";
import type { WorkerStats } from "../worker/stats.ts";
import { operation, SECONDS_BUCKETS, SYSTEM_ATTRIBUTES } from "./attributes.ts";

/**
 * The instruments, made once per instrumentation. Jobs are counted by queue and type, acks by
 * request; the gauges read each registered worker's `stats()` when the reader collects.
 */
export class ZizqMetrics {
  readonly sent: Counter;
  readonly started: Counter;
  readonly finished: Counter;
  readonly processDuration: Histogram;
  readonly #ackDuration: Histogram;
  readonly #ackBatch: Histogram;
  readonly #reconnects: Counter;
  readonly #meter: Meter;
  /** Held weakly, and dropped once collected: a Worker made per invocation must not live on in the gauges. */
  readonly #workers = new Set<{ worker: WeakRef<{ stats(): WorkerStats }>; attributes: Attributes }>();
  #instances = 0;

  constructor(meter: Meter) {
    this.#meter = meter;
    this.sent = meter.createCounter("messaging.client.sent.messages", { unit: "{message}", description: "Jobs enqueued" });
    this.started = meter.createCounter("zizq.jobs.started", { unit: "{job}", description: "Jobs whose handler started" });
    this.finished = meter.createCounter("zizq.jobs.finished", {
      unit: "{job}",
      description: "Jobs whose handler ended, by zizq.job.outcome: completed, failed (retried) or killed",
    });
    const seconds = { unit: "s", advice: { explicitBucketBoundaries: SECONDS_BUCKETS } };
    this.processDuration = meter.createHistogram("messaging.process.duration", { ...seconds, description: "Time a job's schema check and handler took" });
    this.#ackDuration = meter.createHistogram("zizq.ack.duration", { ...seconds, description: "Time a bulk ack request took to land" });
    this.#ackBatch = meter.createHistogram("zizq.ack.batch_size", {
      unit: "{ack}",
      description: "Acks per bulk ack request",
      advice: { explicitBucketBoundaries: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] },
    });
    this.#reconnects = meter.createCounter("zizq.worker.reconnects", { unit: "{connection}", description: "Take streams opened after the first" });
  }

  /** Watches a worker: gauges of its stats, and hooks for its acks and reconnects. */
  watch(worker: { stats(): WorkerStats }): WorkerHooks {
    if (this.#instances++ === 0) this.#gauges();
    const attributes = { ...SYSTEM_ATTRIBUTES, "zizq.worker.instance": this.#instances };
    this.#workers.add({ worker: new WeakRef(worker), attributes });
    const acks = operation("ack");
    return {
      onAckFlush: ({ ids, durationMs }) => {
        this.#ackDuration.record(durationMs / 1000, acks);
        this.#ackBatch.record(ids, acks);
      },
      onConnect: ({ connection }) => {
        if (connection > 1) this.#reconnects.add(1, attributes);
      },
    };
  }

  #gauges(): void {
    const gauge = (name: string, description: string, unit: string, read: (stats: WorkerStats) => number) =>
      this.#meter.createObservableGauge(name, { description, unit }).addCallback((result) => {
        for (const watched of this.#workers) {
          const worker = watched.worker.deref();
          if (worker === undefined) this.#workers.delete(watched);
          else result.observe(read(worker.stats()), watched.attributes);
        }
      });
    gauge("zizq.worker.jobs.running", "Handlers running now (jobs in flight on this worker)", "{job}", (stats) => stats.running);
    gauge("zizq.worker.jobs.buffered", "Jobs received and waiting for a free handler slot", "{job}", (stats) => stats.buffered);
    gauge("zizq.worker.acks.pending", "Acks and nacks handed in that have not landed", "{ack}", (stats) => stats.acksPending);
    gauge("zizq.worker.connected", "1 while a take stream is open", "1", (stats) => (stats.connected ? 1 : 0));
  }
}
