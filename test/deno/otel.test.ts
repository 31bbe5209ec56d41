/** zizq-edge/otel in Deno, with a minimal in-test tracer (test/support/otel-walk.ts). */
import assert from "node:assert/strict";
import { otelWalk } from "../support/otel-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("zizq-edge/otel in Deno", otelWalk, assert);
