/** A snapshot of a worker's counters, from `worker.stats()`. */
export interface WorkerStats {
  state: "idle" | "running" | "stopping";
  /** A take stream is open. */
  connected: boolean;
  /** Ms since the open take stream last delivered a byte (a job or a heartbeat); undefined without one. */
  lastByteAgeMs: number | undefined;
  /** Take streams opened so far. */
  connections: number;
  /** Jobs received from the server. */
  taken: number;
  /** Handlers running now. */
  running: number;
  /** Jobs received and waiting for a free handler slot. */
  buffered: number;
  completed: number;
  failed: number;
  /** Acks and nacks handed to the batcher that have not landed yet. */
  acksPending: number;
  /** Bulk ack requests that landed. */
  ackRequests: number;
  /** Frames that could not be decoded (each logged; its job killed when its id was readable). */
  badFrames: number;
}

/** A worker's counters since it was made, across its runs. */
export interface Counters {
  connections: number;
  taken: number;
  /** Handlers started: a drain's `maxJobs` counts these. */
  started: number;
  completed: number;
  failed: number;
  ackRequests: number;
  badFrames: number;
}

export function newCounters(): Counters {
  return { connections: 0, taken: 0, started: 0, completed: 0, failed: 0, ackRequests: 0, badFrames: 0 };
}
