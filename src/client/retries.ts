import ky, { HTTPError } from "ky";
import { type Answer, NULL_BODY_STATUSES } from "./exchange.ts";

/**
 * Retries of requests that are safe to repeat. Delays grow 2× per attempt, with full jitter.
 *
 * @example
 * ```ts
 * new Client({ url, retry: { limit: 5, initialDelayMs: 100, maxDelayMs: 2_000 } });
 * ```
 */
export interface RetryPolicy {
  /**
   * Retries after the first attempt, 0 to 100.
   *
   * @default 2
   */
  limit?: number;
  /**
   * Delay before the first retry, before jitter, in ms.
   *
   * @default 300
   */
  initialDelayMs?: number;
  /**
   * Cap on any one delay, in ms.
   *
   * @default 5000
   */
  maxDelayMs?: number;
}

/** Statuses worth another try; a 4xx never is. */
const RETRY_STATUSES = [500, 502, 503, 504];

/** Sends a call (method, then path and query from `/`) with retries; answers the last attempt's response. */
export type Retrying<Context> = (method: string, path: string, context: Context) => Promise<Response>;

/**
 * ky as the retry engine of the calls that are safe to repeat: its policy (Retry-After, backoff
 * with full jitter, retries of timeouts and lost connections) around attempts the transport makes
 * itself. Loaded with the first such call.
 */
export function retrying<Context>(
  baseUrl: string,
  policy: Required<RetryPolicy>,
  attempt: (method: string, url: string, context: Context) => Promise<Answer>,
): Retrying<Context> {
  const instance = ky.create({
    prefixUrl: baseUrl,
    retry: {
      limit: policy.limit,
      // Only idempotent calls come here, whatever their method.
      methods: ["get", "post", "put", "patch", "delete"],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: [503],
      maxRetryAfter: policy.maxDelayMs,
      delay: (count: number) => policy.initialDelayMs * 2 ** (count - 1),
      backoffLimit: policy.maxDelayMs,
      jitter: true,
      retryOnTimeout: true,
    },
    // Each attempt's deadline is set by the transport, around the fetch it makes.
    timeout: false,
    hooks: {
      // ky copies `context` for each call, so the state the attempts share sits one level down.
      beforeRequest: [
        async (request, options) => asResponse(await attempt(request.method, request.url, (options.context as { attempts: Context }).attempts)),
      ],
      // ky leaves the failed answer's body unread; cancelling it frees its connection.
      beforeRetry: [({ error }) => void (error instanceof HTTPError && error.response.body?.cancel().catch(() => undefined))],
    },
  });
  return async (method, path, context) => {
    try {
      return await instance(path.slice(1), { method, context: { attempts: context } });
    } catch (error) {
      // The last answer goes to the transport's failure path, like the answer to a call not retried.
      if (error instanceof HTTPError) return error.response;
      throw error;
    }
  };
}

/**
 * An answer as the `Response` ky takes. An exchange's answer is wrapped: its headers copied, its
 * body read whole only when the Response's is, so a failed or timed-out read surfaces where it
 * would with fetch, and cancelling the Response's body cancels the answer's.
 */
function asResponse(answer: Answer): Response {
  if (answer instanceof Response) return answer;
  const source = answer.body;
  const body =
    source === null || NULL_BODY_STATUSES.includes(answer.status)
      ? null
      : new ReadableStream<Uint8Array>({
          async pull(controller) {
            controller.enqueue(new Uint8Array(await answer.arrayBuffer()));
            controller.close();
          },
          cancel: () => source.cancel(),
        });
  return new Response(body, { status: answer.status, headers: [...answer.headers] });
}
