/**
 * zod, as the config side uses it (it imports it from here; lint refuses "zod" itself anywhere
 * else in the program). A run parses its config once, and zod's JIT compiles a fast path for each object schema
 * the first time one is parsed (~50 ms of a prod start): it pays back only over many parses, so it
 * is off. zod reads the setting when a schema is built, so it is set here, before any config
 * module builds one (docs/performance.md).
 */
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { z } from "zod";

z.config({ jitless: true });

export { z };
