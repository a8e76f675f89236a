/**
 * How secrets are recognised (by key name, credential shape and randomness), for the config's
 * error messages. Written once in policy/secret-detection.ts, which the published policy pack needs
 * inside policy/; this module only re-exports it.
 */
export * from "../policy/secret-detection";
