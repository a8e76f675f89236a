/** Network isolation and traffic: who calls whom, the NetworkPolicies derived from it, and the Gateway a stack may own. */
export { serviceGraph, type ServiceGraph } from "./service-graph";
export { Gateway } from "./gateway";
