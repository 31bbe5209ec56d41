/** zizq-edge/otel in Bun, with a minimal in-test tracer (test/support/otel-walk.ts). */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { otelWalk } from "../support/otel-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "zizq-edge/otel in Bun", otelWalk, assert);
