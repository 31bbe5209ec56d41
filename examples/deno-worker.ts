/**
 * `npm run example:deno`: a long-lived worker on Deno. Typed jobs, a Router, a Worker with 8
 * handlers at once under `runWorker`, which stops it gracefully on Ctrl-C (SIGINT) or SIGTERM
 * (a second signal stops it at once) and sets the exit code.
 *
 * Uses the embedded test server on a loopback port, seeded with jobs, unless ZIZQ_URL is set.
 * With ZIZQ_URL, ZIZQ_CA (the CA that signed the server's certificate) and ZIZQ_CERT + ZIZQ_KEY
 * (a client certificate and its key for mutual TLS), all PEM file paths, it connects over TLS.
 */
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, Router, Worker } from "zizq-edge";
import { type DenoFetch, denoFetch, runWorker, serve } from "zizq-edge/deno";
import { createTestServer } from "zizq-edge/testing";

/** The part of Deno's API used here (typed locally, so the root type check needs no Deno types). */
declare const Deno: {
  env: { get(name: string): string | undefined };
  readTextFile(path: string): Promise<string>;
};

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
  retryLimit: 5,
});

const ResizeImage = defineJob({
  type: "resize_image",
  queue: "images",
  schema: v.object({ path: v.string(), width: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
});

const external = Deno.env.get("ZIZQ_URL");
const embedded = external ? undefined : createTestServer();
const handle = embedded ? await serve(embedded) : undefined;

// Mutual TLS: a fetch bound to a Deno HTTP client that trusts ZIZQ_CA and presents ZIZQ_CERT.
const pem = async (name: string) => {
  const path = Deno.env.get(name);
  return path ? await Deno.readTextFile(path) : undefined;
};
const [ca, cert, key] = await Promise.all([pem("ZIZQ_CA"), pem("ZIZQ_CERT"), pem("ZIZQ_KEY")]);
const tls: DenoFetch | undefined = ca || cert || key ? denoFetch({ ca, cert, key }) : undefined;

const client = new Client({ url: external ?? handle?.url ?? "", ...(tls ? { fetch: tls } : {}) });

if (embedded) {
  await client.enqueueBulk([
    ...Array.from({ length: 12 }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" })),
    ...Array.from({ length: 8 }, (_, i) => ResizeImage.with({ path: `photos/${i}.jpg`, width: 320 })),
    ResizeImage.with({ path: "photos/huge.tiff", width: 320 }),
  ]);
  console.log(`Embedded Zizq test server on ${handle?.url}, with 21 jobs waiting`);
}

const router = new Router()
  .route(SendEmail, async ({ to, subject }, ctx) => {
    // A real handler would call a mail API, passing ctx.signal so a stop or timeout cancels it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`sent "${subject}" to ${to} (attempt ${ctx.attempt})`);
  })
  .route(ResizeImage, async ({ path, width }) => {
    if (path.endsWith(".tiff")) throw new NonRetryableError(`${path}: unsupported format`); // straight to dead
    await new Promise((resolve) => setTimeout(resolve, 30));
    console.log(`resized ${path} to ${width}px`);
  });

const worker = new Worker({
  client,
  router,
  concurrency: 8,
  jobTimeout: "30s",
  hooks: { onJobFailure: (job, { failure }) => console.log(`job ${job.id} failed: ${failure.message}`) },
});

console.log("worker running; Ctrl-C to stop");
const code = await runWorker(worker, { shutdownTimeout: "10s" });
console.log(`stopped with exit code ${code}`, worker.stats());
tls?.close();
await handle?.close();
