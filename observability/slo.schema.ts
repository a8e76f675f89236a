/**
 * A service's service level objectives (`services.<name>.slo`): the share of requests that must
 * succeed, optionally the share that must be faster than a threshold, over a rolling window. From
 * them come the recording rules and the multi-window, multi-burn-rate alerts (observability/slo.specs.ts).
 */
import { z } from "../validation/zod";

/** The SLO windows the stack config accepts: the SRE workbook's month and four weeks (Sloth's default periods). */
export const sloWindows = ["28d", "30d"] as const;
export type SloWindow = (typeof sloWindows)[number];

/** A target share of requests, in percent: more than 0 and less than 100 (100 leaves no error budget). */
const targetPercent = z.number().refine((v) => v > 0 && v < 100, { error: "a percentage above 0 and below 100, e.g. 99.9 (100% leaves no error budget to alert on)" });

export const sloSchema = z.strictObject({
    /** The share of requests answered without a 5xx status, in percent, e.g. 99.9. */
    availability: targetPercent,
    /** Optional: the share of requests (`target`, in percent) faster than `thresholdMs`, which must be a bucket boundary of the request-duration histogram. */
    latency: z.strictObject({ thresholdMs: z.number().int().positive(), target: targetPercent }).optional(),
    /** The rolling window the objectives hold over: 28d or 30d (the SRE workbook's and Sloth's periods). */
    window: z.enum(sloWindows).default("30d"),
});

export type SloConfig = z.infer<typeof sloSchema>;
