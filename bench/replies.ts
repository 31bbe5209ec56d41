/**
 * `npm run bench -- replies`: what checking a reply's shape costs next to decoding it. A take frame
 * (a job with its payload, as the Worker gets them) and an enqueue answer: parsing copies of
 * each, then checking the parsed copies with src/protocol/replies.ts.
 */
import { REPLIES } from "../src/protocol/replies.ts";

const ROUNDS = 9;
const COUNT = 200_000;

const frame = JSON.stringify({
  id: "03fr1jkpcsipbsckqj0y6pgr7",
  type: "send_email",
  queue: "emails",
  priority: 32768,
  status: "in_flight",
  payload: { to: "someone@example.com", subject: "Welcome", template: "welcome-v2", locale: "en-GB" },
  ready_at: 1_764_700_000_000,
  attempts: 0,
  retry_limit: 5,
  backoff: { exponent: 4.0, base_ms: 15_000, jitter_ms: 30_000 },
  dequeued_at: 1_764_700_000_123,
});
const enqueued = JSON.stringify({
  id: "03fr1jkpcsipbsckqj0y6pgr7",
  type: "send_email",
  queue: "emails",
  priority: 32768,
  status: "ready",
  ready_at: 1_764_700_000_000,
  attempts: 0,
  duplicate: false,
  folded: false,
});

/** ns per body to parse `COUNT` copies of `text`, and to check the parsed copies; the fastest of `ROUNDS` (the least disturbed by other processes). */
function measure(text: string, check: (body: unknown) => unknown): { parse: number; check: number } {
  let parse = Number.POSITIVE_INFINITY;
  let checked = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    const bodies: unknown[] = new Array(COUNT);
    for (let i = 0; i < COUNT; i++) bodies[i] = JSON.parse(text);
    parse = Math.min(parse, performance.now() - started);
    started = performance.now();
    let passed = 0;
    for (let i = 0; i < COUNT; i++) if (check(bodies[i]) === undefined) passed++;
    checked = Math.min(checked, performance.now() - started);
    if (passed !== COUNT) throw new Error("a check failed");
  }
  return { parse: (parse * 1e6) / COUNT, check: (checked * 1e6) / COUNT };
}

export async function run(): Promise<void> {
  const cases = [
    ["take frame (job with payload)", frame, REPLIES.jobWithPayload.check],
    ["enqueue answer", enqueued, REPLIES.enqueued.check],
  ] as const;
  console.log(`reply checks over ${COUNT.toLocaleString("en")} parsed JSON bodies, fastest of ${ROUNDS} rounds`);
  console.log("| reply | JSON.parse ns/body | check ns/body | check / parse |");
  console.log("|:--|--:|--:|--:|");
  for (const [name, text, check] of cases) {
    const ns = measure(text, check);
    console.log(`| ${name} | ${ns.parse.toFixed(0)} | ${ns.check.toFixed(0)} | ${((ns.check / ns.parse) * 100).toFixed(1)}% |`);
  }
}
