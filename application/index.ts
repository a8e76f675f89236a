/** The application: each service's workloads, its post-deploy check and its migrations. */
export { Application, type ApplicationArgs } from "./application";
