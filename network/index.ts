/** Network isolation: who calls whom, and the NetworkPolicies derived from it. */
export { serviceGraph, type ServiceGraph } from "./service-graph";
