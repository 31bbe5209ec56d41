import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkKnownKeys, checkObject, shown } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";
import { integerAtLeast } from "../utils/integer.ts";
import type { Duration } from "../types/time.ts";
import type { WorkerStats } from "./stats.ts";

/** Limits of `healthHandler`. */
export interface HealthOptions {
  /**
   * A take stream silent this long fails readiness, and three times this long liveness: the
   * stream's own watchdog (`idleTimeout`) should have reopened it long before.
   * @default "15s"
   */
  maxSilence?: Duration;
  /**
   * More acks and nacks waiting than this fails readiness (the server is not taking them).
   * @default 10_000
   */
  maxAcksPending?: number;
}

/** One probe's verdict, as JSON in the response body. */
interface Verdict {
  ok: boolean;
  /** Why it failed, when it failed. */
  reason?: string;
  stats: WorkerStats;
}

/**
 * A fetch handler, `(request) => Response`, for container probes, answering from
 * `worker.stats()`: `GET /livez` (liveness) and `GET /readyz` (readiness), 200 or 503 with a
 * JSON verdict that includes the stats (counters and state, no job data); any other path is 404,
 * another method than GET or HEAD 405. Serve it with the runtime adapter's `serve`, on a port
 * only the orchestrator reaches.
 *
 * - **Live** unless the worker is not running (its `run()` returned) or its open stream has been
 *   silent for three times `maxSilence` (something is wedged). A Zizq outage does not fail
 *   liveness: the worker reconnects by itself, and a restart would not help.
 * - **Ready** when it is running, a take stream is open, the stream spoke within `maxSilence`
 *   and fewer than `maxAcksPending` acks wait.
 *
 * @example
 * import { serve } from "zizq-edge/node";
 * await serve({ fetch: healthHandler(worker) }, { port: 9000, hostname: "0.0.0.0" });
 */
export function healthHandler(worker: { stats(): WorkerStats }, options: HealthOptions = {}): (request: Request) => Response {
  checkObject("options", options, true);
  checkKnownKeys("options", options as Record<string, unknown>, ["maxSilence", "maxAcksPending"]);
  if (typeof worker?.stats !== "function") throw new ZizqArgumentError("worker", `expected a Worker, got ${shown(worker)}`);
  const maxSilenceMs = timerMs(options.maxSilence ?? 15_000, "maxSilence");
  const maxAcksPending = integerAtLeast("maxAcksPending", options.maxAcksPending ?? 10_000, 0);

  const live = (stats: WorkerStats): string | undefined => {
    if (stats.state === "idle") return "the worker is not running";
    if ((stats.lastByteAgeMs ?? 0) > 3 * maxSilenceMs) return `the take stream has been silent for ${Math.round(stats.lastByteAgeMs!)} ms`;
    return undefined;
  };
  const ready = (stats: WorkerStats): string | undefined => {
    if (stats.state !== "running") return `the worker is ${stats.state}`;
    if (!stats.connected) return "no take stream is open";
    if (stats.lastByteAgeMs! > maxSilenceMs) return `the take stream has been silent for ${Math.round(stats.lastByteAgeMs!)} ms`;
    if (stats.acksPending > maxAcksPending) return `${stats.acksPending} acks are waiting to land`;
    return undefined;
  };
  const probes: Record<string, (stats: WorkerStats) => string | undefined> = { "/livez": live, "/readyz": ready };

  return (request) => {
    const probe = probes[new URL(request.url).pathname];
    if (probe === undefined) return new Response("not found\n", { status: 404 });
    if (request.method !== "GET" && request.method !== "HEAD") return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    const stats = worker.stats();
    const reason = probe(stats);
    const verdict: Verdict = reason === undefined ? { ok: true, stats } : { ok: false, reason, stats };
    return new Response(request.method === "HEAD" ? null : JSON.stringify(verdict), {
      status: reason === undefined ? 200 : 503,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  };
}
