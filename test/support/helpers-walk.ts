/**
 * An email producer tested the way the testing guide tells users to: its fetch handler enqueues
 * through a client bound to `createTestClient`'s server (the `ZIZQ_MTLS` service binding of the
 * example Worker, with the server's fetch), the assertions check what it enqueued, and `perform`
 * runs its Router. Node, Bun and workerd walk the example Worker itself (examples/worker.ts);
 * Deno, which cannot type-check a Worker module, walks a stand-in with the same routes.
 */
import type { JobDefinition } from "../../src/job/define-job.ts";
import type { Router } from "../../src/processing/router.ts";
import { createTestClient, type TestClient } from "../../src/testing/index.ts";
import type { Walk } from "./walk.ts";

/** What the walk tests: a Worker-style fetch handler with `POST /emails`, its job type and its Router. */
export interface EmailApp {
  fetch(request: Request, env: Env, ctx: Context): Promise<Response>;
  router: Router;
  SendEmail: JobDefinition<{ to: string; subject: string }, { to: string; subject: string }>;
}

interface Env {
  ZIZQ_URL: string;
  ZIZQ_MTLS?: { fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> };
}

/** The part of a Worker's ExecutionContext the handlers use. */
interface Context {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  props: unknown;
}

/** What the fetch handler is given besides the request, and a wait for what it left running. */
function context(): Context & { settled(): Promise<unknown> } {
  const waits: Promise<unknown>[] = [];
  return {
    waitUntil: (promise) => void waits.push(promise),
    passThroughOnException: () => undefined,
    props: {},
    settled: () => Promise.all(waits),
  };
}

interface State {
  zizq: TestClient;
  env: Env;
  post(body: unknown): Promise<Response>;
}

const START = Date.parse("2030-06-01T12:00:00Z");

export const helpersWalk = ({ fetch, router, SendEmail }: EmailApp): Walk<State> => ({
  open: () => {
    const zizq = createTestClient({ startAt: START });
    const env: Env = { ZIZQ_URL: "http://zizq.test", ZIZQ_MTLS: zizq.server };
    const post = async (body: unknown) => {
      const ctx = context();
      const response = await fetch(
        new Request("http://worker.test/emails", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
        env,
        ctx,
      );
      await ctx.settled();
      return response;
    };
    return { zizq, env, post };
  },
  close: ({ zizq }) => zizq.close(),
  steps: [
    {
      name: "POST /emails enqueues through the Worker's client; assertEnqueued finds the jobs by a partial payload",
      async run({ zizq, post }, assert) {
        const response = await post([
          { to: "a@example.com", subject: "Welcome" },
          { to: "b@example.com", subject: "Welcome" },
        ]);
        assert.equal(response.status, 202);
        const [job] = zizq.assertEnqueued(SendEmail, { to: "a@example.com" }, { times: 1 });
        assert.equal(job?.payload.subject, "Welcome");
        assert.equal(zizq.assertEnqueued(SendEmail, { subject: "Welcome" }).length, 2);
        assert.deepEqual(zizq.counts(), { scheduled: 0, ready: 2, in_flight: 0, completed: 0, dead: 0 });
      },
    },
    {
      name: "a payload the schema refuses is answered 422 and nothing more is enqueued",
      async run({ zizq, post }, assert) {
        assert.equal((await post({ to: "not an email", subject: "x" })).status, 422);
        zizq.assertNotEnqueued(SendEmail, { to: "not an email" });
        assert.equal(zizq.enqueued(SendEmail).length, 2);
      },
    },
    {
      name: "perform runs the example's Router over every ready job and acks them through the server",
      async run({ zizq }, assert) {
        const summary = await zizq.perform(router);
        assert.deepEqual(
          summary.jobs.map(({ type, outcome, attempt }) => [type, outcome, attempt]),
          [
            ["send_email", "completed", 1],
            ["send_email", "completed", 1],
          ],
        );
        assert.deepEqual(zizq.counts(), { scheduled: 0, ready: 0, in_flight: 0, completed: 2, dead: 0 });
        assert.equal((await zizq.client.jobs().count()), 0);
      },
    },
    {
      name: "a delayed job waits for advance; a bad payload sent around the schema is killed by the Router",
      async run({ zizq }, assert) {
        await zizq.client.enqueue(SendEmail, { to: "c@example.com", subject: "Later" }, { delay: "5m" });
        await zizq.client.enqueueRaw({ type: SendEmail.type, queue: SendEmail.queue, payload: { to: "nobody" } });
        const first = await zizq.perform(router, { logger: { warn() {}, error() {} } });
        assert.deepEqual(first.jobs.map(({ outcome }) => outcome), ["dead"]);
        assert.equal(zizq.lastError(first.jobs[0]!.id)?.errorType, "ZizqValidationError");
        assert.equal(zizq.advance("5m"), START + 300_000);
        assert.equal((await zizq.perform(router)).completed, 1);
      },
    },
    {
      name: "reset empties the server and rewinds the clock",
      async run({ zizq }, assert) {
        await zizq.reset();
        assert.equal(zizq.now(), START);
        assert.deepEqual(zizq.enqueued(SendEmail), []);
      },
    },
  ],
});
