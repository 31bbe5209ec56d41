/**
 * A loopback HTTP server that answers whatever a test tells it to: a maintenance page, an empty
 * body, a redirect. For faults the in-memory Zizq never produces; every request is recorded.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubAnswer {
  status?: number;
  /** The Content-Type; none when left out. */
  type?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface StubRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  body: Uint8Array;
}

export interface Stub {
  url: string;
  /** Every request received, in order. */
  seen: StubRequest[];
  /** How the next requests are answered; replace it at will. */
  answer: (request: IncomingMessage) => StubAnswer;
  close(): Promise<void>;
}

export async function startStub(answer: Stub["answer"] = () => ({ status: 204 })): Promise<Stub> {
  const stub = { seen: [] as StubRequest[], answer } as Stub;
  const server = createServer((request, response) => {
    const chunks: Uint8Array[] = [];
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    request.on("end", () => {
      stub.seen.push({ method: request.method ?? "", path: request.url ?? "", body: new Uint8Array(Buffer.concat(chunks)) });
      const { status = 200, type, body, headers = {} } = stub.answer(request);
      response.writeHead(status, type === undefined ? headers : { "content-type": type, ...headers });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
