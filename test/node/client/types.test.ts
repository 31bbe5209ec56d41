/**
 * Type-level tests (checked by `tsc --noEmit -p .`): payload types flow from the schema (its
 * INPUT type) or the type parameter to enqueue, `with`, getJob and jobs. Each case also runs, so
 * what the compiler refuses is refused at run time too.
 */
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type Client,
  defineJob,
  type EnqueuedJob,
  type Job,
  type JobDefinition,
  type JobQuery,
  type EnqueueOptions,
  type JobRequest,
  type RawJob,
  ZizqArgumentError,
  ZizqValidationError,
} from "../../../src/index.ts";
import { rejection, type Setup, setup } from "./harness.ts";

const Email = defineJob({ type: "email", queue: "emails", schema: v.object({ to: v.string() }) });
// A transform: the caller gives a string, the handler gets a number.
const Count = defineJob({ type: "count", queue: "counts", schema: v.object({ n: v.pipe(v.string(), v.transform(Number)) }) });
const Untyped = defineJob<{ id: string }>({ type: "untyped", queue: "q" });

describe("payload types", () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(async () => {
    await s.close();
  });

  it("enqueue takes the schema's payload type", async () => {
    expectTypeOf(Email).toEqualTypeOf<JobDefinition<{ to: string }, { to: string }>>();
    const sent = s.client.enqueue(Email, { to: "x" });
    expectTypeOf(sent).toEqualTypeOf<Promise<EnqueuedJob>>();
    expect((await sent).type).toBe("email");

    // @ts-expect-error `to` must be a string
    expect(await rejection(s.client.enqueue(Email, { to: 1 }))).toBeInstanceOf(ZizqValidationError);
    // @ts-expect-error `to` is required
    expect(await rejection(s.client.enqueue(Email, {}))).toBeInstanceOf(ZizqValidationError);
    expect(await s.client.jobs().count()).toBe(1);
  });

  it("Def.with is typed the same way", async () => {
    const request = Email.with({ to: "y" }, { priority: 1 });
    expectTypeOf(request).toEqualTypeOf<JobRequest<{ to: string }, { to: string }>>();
    expectTypeOf(Email.with).parameter(0).toEqualTypeOf<{ to: string }>();
    // @ts-expect-error `to` must be a string
    const wrong = Email.with({ to: 1 });
    // @ts-expect-error `to` is required
    const missing = Email.with({});
    expect(await rejection(s.client.enqueueBulk([request, wrong]))).toBeInstanceOf(ZizqValidationError);
    expect(await rejection(s.client.enqueueBulk([missing]))).toBeInstanceOf(ZizqValidationError);
    expect(await s.client.enqueueBulk([request, Untyped.with({ id: "a" })])).toHaveLength(2);
  });

  it("a schema with a transform: enqueue takes the INPUT type, validate gives the OUTPUT type", async () => {
    expectTypeOf(Count).toEqualTypeOf<JobDefinition<{ n: string }, { n: number }>>();
    expectTypeOf(Count.validate).returns.toEqualTypeOf<Promise<{ n: number }>>();
    expectTypeOf(Count.with).parameter(0).toEqualTypeOf<{ n: string }>();
    const job = await s.client.enqueue(Count, { n: "42" });
    // The payload is sent as given (the input), not transformed.
    expect((await s.client.getJob<{ n: string }>(job.id)).payload).toEqual({ n: "42" });
    expect(await Count.validate({ n: "42" })).toEqual({ n: 42 });
    // @ts-expect-error the input is a string, not the output's number
    expect(await rejection(s.client.enqueue(Count, { n: 42 }))).toBeInstanceOf(ZizqValidationError);
  });

  it("defineJob<T>() without a schema types the payload", async () => {
    expectTypeOf(Untyped).toEqualTypeOf<JobDefinition<{ id: string }, { id: string }>>();
    expect(Untyped.schema).toBeUndefined();
    expect((await s.client.enqueue(Untyped, { id: "a" })).type).toBe("untyped");
    // @ts-expect-error `id` must be a string (no schema: only the compiler checks)
    await s.client.enqueue(Untyped, { id: 1 });
    // @ts-expect-error `id` is required
    Untyped.with({});
    const NoType = defineJob({ type: "any", queue: "q" });
    expectTypeOf(NoType).toEqualTypeOf<JobDefinition<unknown, unknown>>();
    await s.client.enqueue(NoType, { whatever: [1] });
    expect(await s.client.jobs().count()).toBe(3);
  });

  it("getJob<T>() and jobs<T>() type the payload; unknown by default", async () => {
    const { id } = await s.client.enqueue(Untyped, { id: "z" });
    const typed = await s.client.getJob<{ id: string }>(id);
    expectTypeOf(typed).toEqualTypeOf<Job<{ id: string }>>();
    expectTypeOf(typed.payload.id).toBeString();
    expect(typed.payload.id).toBe("z");
    expectTypeOf(await s.client.getJob(id)).toEqualTypeOf<Job<unknown>>();

    const query = s.client.jobs<{ id: string }>({ type: "untyped" });
    expectTypeOf(query).toEqualTypeOf<JobQuery<{ id: string }>>();
    expectTypeOf(query.toArray()).resolves.toEqualTypeOf<Job<{ id: string }>[]>();
    expectTypeOf(query.first()).resolves.toEqualTypeOf<Job<{ id: string }> | undefined>();
    for await (const job of query) {
      expectTypeOf(job.payload).toEqualTypeOf<{ id: string }>();
      expect(job.payload.id).toBe("z");
    }
    expectTypeOf(s.client.jobs().toArray()).resolves.toEqualTypeOf<Job<unknown>[]>();
    // @ts-expect-error `staus` is not a filter key
    s.client.jobs({ staus: "ready" });
    // @ts-expect-error not a status
    s.client.jobs({ status: "done" });
    expectTypeOf<Parameters<Client["jobs"]>[0]>().toMatchTypeOf<{ status?: unknown } | undefined>();
  });

  it("enqueueRaw takes camelCase enqueue options; the server's snake_case does not compile", async () => {
    expectTypeOf<RawJob>().toMatchTypeOf<EnqueueOptions & { type: string; queue: string; payload: unknown }>();
    const job = await s.client.enqueueRaw({ type: "raw", queue: "q", payload: { n: 1 }, retryLimit: 1, readyAt: new Date() });
    expectTypeOf(job).toEqualTypeOf<EnqueuedJob>();
    // @ts-expect-error `ready_at` is the server's name; the option is `readyAt`
    expect(await rejection(s.client.enqueueRaw({ type: "raw", queue: "q", payload: null, ready_at: 1 }))).toBeInstanceOf(ZizqArgumentError);
  });
});
