/** The jobs and handlers of the relay tests, free of Node imports so workerd can run them too. */
import * as v from "valibot";
import { defineJob } from "../../../src/job/define-job.ts";
import { NonRetryableError, RetryAfterError } from "../../../src/processing/handler-errors.ts";
import { Router } from "../../../src/processing/router.ts";

export const QUEUE = "push";
export const n = v.object({ n: v.number() });
export const Ok = defineJob({ type: "ok", queue: QUEUE, schema: n });
export const Flaky = defineJob({ type: "flaky", queue: QUEUE, schema: n });
export const Later = defineJob({ type: "later", queue: QUEUE, schema: n });
export const Doomed = defineJob({ type: "doomed", queue: QUEUE, schema: n });
export const Always = defineJob({ type: "always", queue: QUEUE, schema: n, retryLimit: 2 });

/** The endpoint's handlers: `flaky` fails twice, `later` asks once to come back, `doomed` and `always` end dead. */
export function endpointRouter(options: { delayMs?: number } = {}) {
  const wait = (signal: AbortSignal) =>
    options.delayMs ? new Promise((resolve) => setTimeout(resolve, options.delayMs)) : Promise.resolve();
  return new Router()
    .route(Ok, async (_payload, ctx) => void (await wait(ctx.signal)))
    .route(Flaky, (_payload, ctx) => {
      if (ctx.job.attempts < 2) throw new TypeError(`flaky attempt ${ctx.job.attempts}`);
    })
    .route(Later, (_payload, ctx) => {
      if (ctx.job.attempts === 0) throw new RetryAfterError(50);
    })
    .route(Doomed, () => {
      throw new NonRetryableError("doomed");
    })
    .route(Always, () => {
      throw new Error("always fails");
    });
}

