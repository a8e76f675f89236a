/** The schema of `namespace`: the namespace every object of the stack lives in. */
import { z } from "../validation/zod";
import { podSecurityLevels } from "../lib/pod-security";
import { annotations, dnsLabel, labels } from "../validation/primitives";


export const namespaceSchema = z.strictObject({
    /** The namespace every object of the stack lives in. Unset: "<project>-<stack>", so review stacks never share one. */
    name: dnsLabel("llm-platform-dev").optional(),
    /** Create the namespace (true) or use one that exists (false). */
    create: z.boolean().default(true),
    /** Extra labels on a created namespace, e.g. pod-security.kubernetes.io/enforce. */
    labels: labels.default({}),
    /** Extra annotations on a created namespace. */
    annotations: annotations.default({}),
    /**
     * The Pod Security level the namespace enforces (its pod-security.kubernetes.io/enforce label)
     * and the services' security settings are held to. Unset: the label as `labels` sets it, else
     * "restricted"; lower it only for images that need root or extra capabilities.
     */
    podSecurity: z.enum(podSecurityLevels).optional(),
});
export type NamespaceConfig = z.infer<typeof namespaceSchema>;
