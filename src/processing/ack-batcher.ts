import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqConnectionError } from "../errors/connection-error.ts";
import { ZizqNotFoundError, ZizqServerError } from "../errors/http-error.ts";
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import { ZizqError } from "../errors/zizq-error.ts";
import type { Failure } from "../types/failure.ts";
import { backoffDelay, type DelayPolicy, sleep } from "../utils/backoff.ts";
import { Fifo } from "../utils/fifo.ts";
import { type Logger, toLogger } from "../utils/logger.ts";
import { ACK_BATCHER_OPTIONS, type AckBatcherCloseOptions, type AckBatcherOptions, type AckPort, checkAckOptions } from "./ack-options.ts";

/** A promise with its settlers, shared by everyone waiting on the same batch or nack. */
interface Deferred {
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Settled already: by its answer, or by `close`'s deadline while its request was still out. */
  settled: boolean;
}

interface Batch extends Deferred {
  readonly ids: Set<string>;
}

interface Nack extends Deferred {
  readonly id: string;
  readonly failure: Failure;
  /** The job's failures when it was taken; a count above it means this nack landed. */
  readonly attempts: number | undefined;
}

const noop = (): void => {};

/** Microtask rounds without a new ack after which a queued send leaves, and the most it waits. */
const QUIET_ROUNDS = 6;
const MAX_ROUNDS = 64;

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Failures are logged; a caller may drop the promise without an unhandled rejection.
  promise.catch(noop);
  return { promise, resolve, reject, settled: false };
}

/**
 * Acks and nacks for a worker or a push endpoint. Acks go in bulk, a batch leaving once acks go
 * quiet; without `pipelineAt` one request is in flight, and ids that arrive meanwhile ride the
 * next one, which leaves as soon as the first answers. With `pipelineAt`, two requests may be in
 * flight, and a batch that reaches that many ids leaves at once. Nothing waits on a timer, because
 * a stream's prefetch slots are freed only by acks. Nacks go one by one (the server has no bulk
 * failure) through a small pool.
 */
export class AckBatcher {
  private readonly port: AckPort;
  private readonly maxBatch: number;
  /** Ids at which a batch leaves without waiting, while fewer than two are out; never without `pipelineAt`. */
  private readonly pipelineAt: number;
  /** Bulk acks out at once at most. */
  private readonly maxInFlight: number;
  private readonly nackConcurrency: number;
  private readonly retry: DelayPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onFlush: AckBatcherOptions["onFlush"];
  private readonly logger: Logger | undefined;
  /** Cuts retry sleeps short when the batcher is abandoned. */
  private readonly abandon = new AbortController();

  /** Batches waiting to be sent, oldest first; the last takes new ids. */
  private readonly batches = new Fifo<Batch>();
  /** Batches sent and not yet answered, oldest first. */
  private readonly inFlight: Batch[] = [];
  /** A send is queued as a microtask, so the ids acked in one synchronous run leave together. */
  private scheduled = false;
  private acksPending = 0;
  /** Ids ever added to a batch: the pump reads it to tell whether acks keep arriving. */
  private acksAdded = 0;
  /** The queued send's view of `acksAdded`, and the rounds it has waited (see `pumpAcks`). */
  private seenAdded = -1;
  private quietRounds = 0;
  private rounds = 0;

  /** Nacks waiting for a pool slot. */
  private readonly nacks = new Fifo<Nack>();
  private nacksActive = 0;
  /** Every nack not yet settled, queued or running, for `flush` and `giveUp`. */
  private readonly nacksPending = new Set<Nack>();

  private closed = false;
  /**
   * A queued send first lets a few microtask rounds pass, for as long as acks keep arriving:
   * handlers that finish in the same turn (a chunk's worth of quick jobs, and the jobs that take
   * their slots) then share one request instead of the first leaving alone. It never waits on a
   * timer, so an idle worker's ack still leaves within the turn its handler ended in. With every
   * request slot taken it stops: the first request to answer sends what waits.
   */
  private readonly pumpAcks = (): void => {
    if (this.inFlight.length < this.maxInFlight) {
      if (this.acksAdded !== this.seenAdded) {
        this.seenAdded = this.acksAdded;
        this.quietRounds = 0;
      } else this.quietRounds++;
      if (this.quietRounds < QUIET_ROUNDS && ++this.rounds < MAX_ROUNDS) {
        queueMicrotask(this.pumpAcks);
        return;
      }
    }
    this.scheduled = false;
    this.restartPump();
    this.sendNext();
  };

  /** The pump's count starts over, for the batch after one that just left. */
  private restartPump(): void {
    this.seenAdded = this.acksAdded;
    this.quietRounds = this.rounds = 0;
  }

  constructor(port: AckPort, options: AckBatcherOptions = {}) {
    checkAckOptions(undefined, options, ACK_BATCHER_OPTIONS);
    this.port = port;
    this.maxBatch = options.maxBatch ?? 1000;
    const pipelineAt = options.pipelineAt ?? false;
    // A batch never holds more than maxBatch ids, so a larger pipelineAt would never be reached.
    this.pipelineAt = pipelineAt === false ? Number.POSITIVE_INFINITY : Math.min(pipelineAt, this.maxBatch);
    this.maxInFlight = pipelineAt === false ? 1 : 2;
    this.nackConcurrency = options.nackConcurrency ?? 8;
    this.retry = {
      initialDelayMs: options.retry?.initialDelayMs ?? 100,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
      random: options.random ?? Math.random,
    };
    this.sleep = options.sleep ?? sleep;
    this.onFlush = options.onFlush;
    this.logger = options.logger && toLogger(options.logger);
  }

  /** Acks not yet landed plus nacks not yet settled. */
  get pending(): number {
    return this.acksPending + this.nacksPending.size;
  }

  /** The ids handed to `ack` whose ack has not landed yet, those in flight included. */
  unlandedAcks(): string[] {
    const ids: string[] = [];
    for (const batch of this.inFlight) for (const id of batch.ids) ids.push(id);
    for (const batch of this.batches) for (const id of batch.ids) ids.push(id);
    return ids;
  }

  /**
   * Resolves when the id's ack landed, or the server reported the job not in flight (dropped
   * and logged: it was acked already or handed back). Rejects on a non-transient failure.
   */
  ack(id: string): Promise<void> {
    if (!this.closed) for (const flying of this.inFlight) if (flying.ids.has(id)) return flying.promise;
    return this.ackAgain(id);
  }

  /**
   * Acks `id` in the next request even when one out carries it: for a job handed out again after
   * a take stream broke. The request out may have reached the server before that, while the job
   * was not in flight; then it answers "not in flight" and leaves the new copy in flight. With
   * `pipelineAt` the next request may go beside the one out; whichever lands second is answered
   * "not in flight".
   */
  ackAgain(id: string): Promise<void> {
    if (this.closed) return refused(closedError());
    if (typeof id !== "string") return refused(new ZizqArgumentError("id", `expected a string, got ${typeof id}`));
    let batch = this.batches.last();
    if (batch === undefined || (batch.ids.size >= this.maxBatch && !batch.ids.has(id))) {
      batch = { ids: new Set(), ...deferred() };
      this.batches.push(batch);
    }
    const size = batch.ids.size;
    batch.ids.add(id);
    this.acksPending += batch.ids.size - size;
    this.acksAdded += batch.ids.size - size;
    // A pipelined batch leaves as it fills, so the server refills the window while handlers work through the rest.
    if (batch.ids.size >= this.pipelineAt && this.inFlight.length < this.maxInFlight && this.batches.first() === batch) {
      this.restartPump();
      this.sendNext();
    } else if (!this.scheduled && this.inFlight.length < this.maxInFlight) {
      this.scheduled = true;
      queueMicrotask(this.pumpAcks);
    }
    return batch.promise;
  }

  /**
   * Reports a failure. Resolves when it landed; rejects on a non-transient failure. `taken` is the
   * job as it was taken: without it, a retry after a lost answer could fail the job's next attempt
   * (Zizq matches a failure by id alone), so a nack without it is not retried.
   */
  nack(id: string, failure: Failure, taken?: { attempts: number }): Promise<void> {
    if (this.closed) return refused(closedError());
    const nack: Nack = { id, failure, attempts: taken?.attempts, ...deferred() };
    this.nacksPending.add(nack);
    if (this.nacksActive < this.nackConcurrency) void this.runNacks(nack);
    else this.nacks.push(nack);
    return nack.promise;
  }

  /** Resolves (never rejects) when everything handed in so far is settled. */
  async flush(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const nack of this.nacksPending) waits.push(nack.promise);
    for (const batch of this.inFlight) waits.push(batch.promise);
    for (const batch of this.batches) waits.push(batch.promise);
    await Promise.allSettled(waits);
  }

  /**
   * Refuses new work from now on (with a `ZizqError`) and resolves once everything handed in
   * is settled. Without a signal, transient failures are retried until they land.
   */
  async close(options: AckBatcherCloseOptions = {}): Promise<void> {
    this.closed = true;
    const signal = options.signal;
    const onAbort = (): void => this.giveUp(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.flush();
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends queued batches while fewer than `maxInFlight` are out. */
  private sendNext(): void {
    while (this.inFlight.length < this.maxInFlight) {
      const batch = this.batches.shift();
      if (batch === undefined) return;
      this.inFlight.push(batch);
      void this.send(batch);
    }
  }

  private async send(batch: Batch): Promise<void> {
    const ids = Array.from(batch.ids);
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      if (this.abandon.signal.aborted) {
        this.settleBatch(batch, abandonedError(this.abandon.signal.reason));
        break;
      }
      try {
        const { notFound } = await this.port.ackMany(ids);
        if (notFound.length > 0) this.logger?.warn(`${notFound.length} acked jobs were not in flight; dropped`, { notFound });
        this.settleBatch(batch);
        this.report(ids.length, notFound, performance.now() - started);
        break;
      } catch (error) {
        if (!isTransient(error)) {
          this.logger?.warn(`bulk ack of ${ids.length} jobs failed`, { error });
          this.settleBatch(batch, error);
          break;
        }
        this.logger?.debug(`bulk ack of ${ids.length} jobs failed; retrying`, { error, attempt });
        await this.backoff(attempt);
      }
    }
    const at = this.inFlight.indexOf(batch);
    if (at !== -1) this.inFlight.splice(at, 1);
    this.sendNext();
  }

  private settleBatch(batch: Batch, error?: unknown): void {
    if (batch.settled) return;
    batch.settled = true;
    this.acksPending -= batch.ids.size;
    if (error === undefined) batch.resolve();
    else batch.reject(error);
  }

  private report(ids: number, notFound: string[], durationMs: number): void {
    if (this.onFlush === undefined) return;
    try {
      this.onFlush({ ids, notFound, durationMs });
    } catch (error) {
      this.logger?.warn("onFlush threw", { error });
    }
  }

  /** Runs `first`, then whatever waits in the queue, keeping one pool slot. */
  private async runNacks(first: Nack): Promise<void> {
    this.nacksActive++;
    for (let nack: Nack | undefined = first; nack !== undefined; nack = this.nacks.shift()) {
      await this.runNack(nack);
    }
    this.nacksActive--;
  }

  private async runNack(nack: Nack): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.abandon.signal.aborted) return this.settleNack(nack, abandonedError(this.abandon.signal.reason));
      try {
        if (attempt > 1 && (await this.landed(nack))) return this.settleNack(nack);
        // Given up while the read was out: no new request leaves.
        if (nack.settled) return;
        await this.port.fail(nack.id, nack.failure);
        return this.settleNack(nack);
      } catch (error) {
        // A retry finding the job not in flight means an attempt whose answer was lost landed.
        if (attempt > 1 && error instanceof ZizqNotFoundError) return this.settleNack(nack);
        if (!isTransient(error) || nack.attempts === undefined) {
          // Not in flight: settled elsewhere (a push endpoint with its own Client) or handed back.
          if (error instanceof ZizqNotFoundError) this.logger?.info(`nack of job ${nack.id}: the job was not in flight`, { error, jobId: nack.id });
          else this.logger?.warn(`nack of job ${nack.id} failed`, { error, jobId: nack.id });
          return this.settleNack(nack, error);
        }
        this.logger?.debug(`nack of job ${nack.id} failed; retrying`, { error, attempt, jobId: nack.id });
        await this.backoff(attempt);
      }
    }
  }

  /** Whether an earlier attempt of this nack landed: the job's failure count moved past the one it was taken with, or it left flight. */
  private async landed(nack: Nack): Promise<boolean> {
    try {
      const job = await this.port.getJob(nack.id);
      return job.status !== "in_flight" || job.attempts > (nack.attempts as number);
    } catch (error) {
      if (error instanceof ZizqNotFoundError) return true;
      throw error;
    }
  }

  private settleNack(nack: Nack, error?: unknown): void {
    if (nack.settled) return;
    nack.settled = true;
    this.nacksPending.delete(nack);
    if (error === undefined) nack.resolve();
    else nack.reject(error);
  }

  private async backoff(attempt: number): Promise<void> {
    try {
      await this.sleep(backoffDelay(this.retry, attempt), this.abandon.signal);
    } catch {
      // An injected sleep may reject on abort; the retry loop checks the signal itself.
    }
  }

  /**
   * Stops retrying and waiting: everything not landed is rejected now. A request still out is
   * left to finish on its own (its answer changes nothing); no new one leaves, so the bulk acks
   * still out stay the only ones.
   */
  private giveUp(reason: unknown): void {
    this.abandon.abort(reason);
    const error = abandonedError(reason);
    for (const batch of this.inFlight) this.settleBatch(batch, error);
    for (const batch of this.batches) this.settleBatch(batch, error);
    this.batches.clear();
    this.nacks.clear();
    for (const nack of this.nacksPending) this.settleNack(nack, error);
  }
}

/** Connection failures, timeouts and 5xx may pass; 4xx answers and anything else will not. */
function isTransient(error: unknown): boolean {
  return error instanceof ZizqConnectionError || error instanceof ZizqTimeoutError || error instanceof ZizqServerError;
}

/** A rejected promise that counts as handled, like every promise the batcher hands out. */
function refused(error: unknown): Promise<void> {
  const promise = Promise.reject(error);
  promise.catch(noop);
  return promise;
}

function closedError(): ZizqError {
  return new ZizqError("the AckBatcher is closed");
}

function abandonedError(reason: unknown): ZizqError {
  return new ZizqError("the AckBatcher was closed before this landed", undefined, { cause: reason });
}
