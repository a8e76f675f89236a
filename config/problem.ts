/**
 * One thing wrong with the stack config. All problems are collected and reported together, so a
 * user fixes a stack file in one pass instead of one error per `pulumi preview`.
 */
export interface Problem {
    /** The config key, without the project prefix, e.g. "services.api.autoscaling.minReplicas". */
    key: string;
    /** What the stack file holds there. */
    given: unknown;
    /** What would be accepted. */
    expected: string;
}
