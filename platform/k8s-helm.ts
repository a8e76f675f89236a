/**
 * `k8s.helm` of platform/k8s.ts: Helm v4 only. `@pulumi/kubernetes/helm`'s index also loads v3,
 * whose YAML support loads every API group of the package.
 */
export * as v4 from "@pulumi/kubernetes/helm/v4";
