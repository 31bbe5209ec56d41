/**
 * The tests' push endpoint as a Bun program (relay.test.ts spawns it with `bun`): `zizqPush` on a
 * Hono app with the tests' Router, served by adapters/bun.ts on a free port, which it prints.
 * With ZIZQ_URL it holds a Client and settles jobs itself.
 */
import { Hono } from "hono";
import { serve } from "../../../adapters/bun.ts";
import { zizqPush } from "../../../adapters/hono.ts";
import { Client } from "../../../src/client/client.ts";
import { endpointRouter } from "./jobs.ts";

const client = process.env.ZIZQ_URL ? new Client({ url: process.env.ZIZQ_URL }) : undefined;
const app = new Hono();
const quiet = { warn: () => {}, error: (message: string) => console.error(message) };
app.post("/push", zizqPush({ secrets: process.env.PUSH_SECRET ?? "", router: endpointRouter(), client, logger: quiet }));
const handle = await serve(app, { port: 0 });
console.log(`listening ${handle.url}`);
