/** The platform pieces: the namespace and the destroy guard. */
export { DestroyGuard } from "./destroy-guard";
export { type DestroyGuardArgs } from "./platform.args";
export { PlatformNamespace } from "./platform-namespace";
export { type PlatformNamespaceArgs } from "./platform.args";
