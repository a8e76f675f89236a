/** The platform pieces: the namespace and the destroy guard. */
export { DestroyGuard, type DestroyGuardArgs } from "./destroy-guard";
export { PlatformNamespace, type PlatformNamespaceArgs } from "./platform-namespace";
