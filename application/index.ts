/** The application: each service's workloads, its post-deploy check and its migrations. */
export { Application } from "./application";
export { type ApplicationArgs } from "./application.args";
