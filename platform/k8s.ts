/**
 * The Kubernetes API groups the components use, each imported on its own. `@pulumi/kubernetes`'s
 * index loads all of its API groups (~120 modules, ~70 ms of every start of the program;
 * docs/performance.md); these load ~40. Components write `k8s.core.v1.Namespace` as before, and
 * lint refuses a value import of the package's index anywhere in the program
 * (scripts/codemod-k8s-imports.mjs rewrites one).
 */
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as autoscaling from "@pulumi/kubernetes/autoscaling";
export * as batch from "@pulumi/kubernetes/batch";
export * as core from "@pulumi/kubernetes/core";
export * as helm from "./k8s-helm";
export * as networking from "@pulumi/kubernetes/networking";
export * as policy from "@pulumi/kubernetes/policy";
export type * as types from "@pulumi/kubernetes/types";
