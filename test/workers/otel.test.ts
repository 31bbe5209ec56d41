/** zizq-edge/otel inside workerd, with a minimal in-test tracer (test/support/otel-walk.ts), against the in-isolate test server. */
import { afterAll, beforeAll, describe, test } from "vitest";
import { otelWalk } from "../support/otel-walk.ts";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "zizq-edge/otel in workerd", otelWalk, vitestAssert);
