import type { Job } from "../types/job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { isJobDefinition, type JobDefinition } from "../job/define-job.ts";
import { shown } from "../utils/arguments.ts";
import type { Logger } from "../utils/logger.ts";
import type { Instrumentation } from "./instrumentation.ts";
import { JobContext } from "./job-context.ts";
import { COMPLETED, failed, invalidPayload, type Outcome, unknownType } from "./outcome.ts";

export type { Logger };

/** What a handler gets besides its payload. */
export interface HandlerContext {
  /** The job as taken, with its raw (unvalidated) payload. */
  job: Job<unknown>;
  /** This attempt, from 1: the job's failures so far plus one. */
  attempt: number;
  /** Fires on the job timeout, the shutdown deadline or a lost stream; the handler should stop. */
  signal: AbortSignal;
  /** The worker's logger, with the job's id, type, queue and attempt (and trace ids) on every line. */
  log: Logger;
}

/** What a dispatcher is given with each job; `instrumentation` adds its fields to `ctx.log`. */
export interface DispatchContext extends Pick<HandlerContext, "signal" | "log"> {
  instrumentation?: Instrumentation;
}

/** What runs each job and says how it ended: a `Router`, or a relay's delivery. */
export interface Dispatcher {
  dispatch(job: Job<unknown>, ctx: DispatchContext): Promise<Outcome>;
}

/** Handles one job type; the payload is the schema's output (after transforms). */
export type Handler<Payload> = (payload: Payload, ctx: HandlerContext) => unknown;
/** Handles jobs of types no route names. */
export type FallbackHandler = (job: Job<unknown>, ctx: HandlerContext) => unknown;

interface Route {
  definition: JobDefinition<unknown, unknown>;
  handler: Handler<unknown>;
}

/**
 * Sends each job to the handler of its type, after checking its payload against the type's
 * schema, and turns how the handler ended into an `Outcome` for the worker to ack or nack.
 */
export class Router {
  readonly #routes = new Map<string, Route>();
  #fallback: FallbackHandler | undefined;

  /** Handles jobs of `definition.type`; a type can be routed once. */
  route<Input, Output>(definition: JobDefinition<Input, Output>, handler: Handler<Output>): this {
    if (!isJobDefinition(definition)) throw new ZizqArgumentError("definition", `expected a job type from defineJob, got ${shown(definition)}`);
    if (typeof handler !== "function") throw new ZizqArgumentError("handler", `expected a function, got ${shown(handler)}`);
    if (this.#routes.has(definition.type)) {
      throw new ZizqArgumentError("type", `"${definition.type}" is routed already; a type has one handler`);
    }
    this.#routes.set(definition.type, { definition, handler } as unknown as Route);
    return this;
  }

  /** Handles jobs of every type without a route; without it they are killed as `UnknownJobType`. */
  fallback(handler: FallbackHandler): this {
    if (typeof handler !== "function") throw new ZizqArgumentError("handler", `expected a function, got ${shown(handler)}`);
    if (this.#fallback) throw new ZizqArgumentError("fallback", "is set already");
    this.#fallback = handler;
    return this;
  }

  /** Whether `type` has its own route (the fallback aside). */
  has(type: string): boolean {
    return this.#routes.has(type);
  }

  /**
   * Runs the job's handler and reports how it ended; never throws. The signal is only passed on:
   * a handler that returns after it fired still completes the job, one that throws fails it.
   * `now` dates a `RetryAfterError` given in ms.
   */
  async dispatch(job: Job<unknown>, ctx: DispatchContext, now: () => number = Date.now): Promise<Outcome> {
    const route = this.#routes.get(job.type);
    const context: HandlerContext = new JobContext(job, ctx.signal, ctx.log, ctx.instrumentation);
    if (route === undefined) {
      if (this.#fallback === undefined) return unknownType(job.type);
      try {
        await this.#fallback(job, context);
        return COMPLETED;
      } catch (error) {
        return failed(error, now);
      }
    }
    let payload = job.payload;
    // A definition without a schema takes the payload as is: no validate() promise to await.
    if (route.definition.schema !== undefined) {
      try {
        payload = await route.definition.validate(payload);
      } catch (error) {
        return invalidPayload(error, now);
      }
    }
    try {
      await route.handler(payload, context);
      return COMPLETED;
    } catch (error) {
      return failed(error, now);
    }
  }
}
