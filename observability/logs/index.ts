/** Logs: the stack's own Loki, the node collector, and their credentials. */
export { Logs } from "./logs";
export { type LogsArgs } from "./logs.args";
