/** Where the worker, the ack batcher and handlers log; `console` and most structured loggers satisfy it. */
export interface Logger {
  debug?(message: string, details?: unknown): void;
  info?(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}
