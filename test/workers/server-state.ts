/** What the loopback test server (global setup) still holds of a queue, read from inside workerd. */
import { inject } from "vitest";
import type { Client } from "../../src/index.ts";
import type { ConnectionInfo } from "../../src/testing/types.ts";
import { sleep } from "../support/wait.ts";

/**
 * Jobs of `queue` by status and the take streams open on it. A stream's close reaches the server
 * a moment after the Worker's drain resolves (the socket closes after workerd cancels the body),
 * so this waits up to 1 s for the streams to go before it counts.
 */
export async function serverState(client: Client, queue: string) {
  let streams = 0;
  for (const end = Date.now() + 1_000; ; await sleep(10)) {
    const connections = (await (await fetch(`${inject("zizqUrl")}/__test/connections`)).json()) as ConnectionInfo[];
    streams = connections.filter((connection) => connection.queues.includes(queue)).length;
    if (streams === 0 || Date.now() > end) break;
  }
  const count = (status: "ready" | "in_flight" | "scheduled" | "dead") => client.jobs({ queue, status: [status] }).count();
  return { ready: await count("ready"), inFlight: await count("in_flight"), scheduled: await count("scheduled"), dead: await count("dead"), streams };
}
