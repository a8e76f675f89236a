/**
 * The Gateway API (#29): a service's HTTPRoute and GRPCRoute, the Gateway a stack may own and its
 * ReferenceGrants, the data plane's admission, the rules that agree with the CRDs' limits and CEL
 * rules, and a route-only stack through the whole program.
 */
import { strict as assert } from "assert";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { grpcRouteSpec, httpRouteSpec, routeUrl } from "../application/route.specs";
import { serviceUrl } from "../application/application.specs";
import { gatewaySchema } from "../network/gateway.schema";
import { resolveGateway } from "../network/gateway.resolve";
import { certificateGrants, gatewayAnnotations, gatewaySpec } from "../network/gateway.specs";
import { gatewayIngress } from "../network/network-policies";
import { networkPolicySchema } from "../network/network.schema";
import { acmeSolverPeers } from "../platform/platform.resolve";
import { durationMs } from "../application/route.rules";
import { reportOf, stagingBase, Values } from "./config-harness";
import { runStack } from "./mocks";
import { schemaProblems, unknownFields } from "./k8s-schema";

const image = { repository: "ghcr.io/acme/api", tag: "1.0.0" };
const service = (overrides: Record<string, unknown> = {}): ServiceConfig => serviceSchema.parse({ image, ...overrides });
const parent = { name: "platform-gateway", namespace: "gateway-system", sectionName: "https" };
const dataPlane = { namespaceSelector: { "kubernetes.io/metadata.name": "envoy-gateway-system" }, podSelector: { "app.kubernetes.io/component": "proxy" } };

describe("gateway: a service's routes", () => {
    it("the HTTPRoute sends every rule to the Service's http port, with its matches, timeouts and header changes", () => {
        const s = service({
            route: {
                enabled: true,
                parentRefs: [{ ...parent, port: 443 }],
                hostnames: ["llm.example.com"],
                rules: [{ matches: [{ path: { value: "/v1" } }, { path: { type: "Exact", value: "/healthz" } }], timeouts: { request: "310s", backendRequest: "300s" }, requestHeaders: { set: { "X-Env": "prod" }, remove: ["X-Debug"] }, responseHeaders: { add: { "X-Frame-Options": "DENY" } } }],
            },
        });
        assert.deepEqual(httpRouteSpec(s, "api"), {
            parentRefs: [{ name: "platform-gateway", namespace: "gateway-system", sectionName: "https", port: 443 }],
            hostnames: ["llm.example.com"],
            rules: [{
                matches: [{ path: { type: "PathPrefix", value: "/v1" } }, { path: { type: "Exact", value: "/healthz" } }],
                filters: [
                    { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-Env", value: "prod" }], remove: ["X-Debug"] } },
                    { type: "ResponseHeaderModifier", responseHeaderModifier: { add: [{ name: "X-Frame-Options", value: "DENY" }] } },
                ],
                timeouts: { request: "310s", backendRequest: "300s" },
                backendRefs: [{ name: "api", port: 8080 }],
            }],
        });
    });

    it("a route without rules in config takes every path (PathPrefix /) and writes no empty filters or timeouts", () => {
        const s = service({ route: { enabled: true, parentRefs: [{ name: "gw" }] } });
        assert.deepEqual(httpRouteSpec(s, "api"), { parentRefs: [{ name: "gw" }], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "api", port: 8080 }] }] });
    });

    it("a GRPCRoute goes to the extra port grpcPort names, by its Service port number; none without grpcPort", () => {
        const s = service({ service: { extraPorts: [{ name: "grpc", port: 9000, targetPort: 9001 }] }, route: { enabled: true, parentRefs: [parent], hostnames: ["grpc.example.com"], grpcPort: "grpc" } });
        assert.deepEqual(grpcRouteSpec(s, "api"), { parentRefs: [parent], hostnames: ["grpc.example.com"], rules: [{ backendRefs: [{ name: "api", port: 9000 }] }] });
        assert.equal(grpcRouteSpec(service({ route: { enabled: true, parentRefs: [parent] } }), "api"), undefined);
    });

    it("the URL follows the route when there is one, else the Ingress, else the cluster-local Service", () => {
        const ingress = { enabled: true, hosts: [{ host: "old.example.com" }], tls: { enabled: true, secretName: "t" } };
        const route = { enabled: true, parentRefs: [parent], hostnames: ["new.example.com"], rules: [{ matches: [{ path: { value: "/api" } }] }] };
        assert.equal(serviceUrl(service({ ingress, route }), "api", "ns", "cluster.local"), "https://new.example.com/api");
        assert.equal(serviceUrl(service({ ingress }), "api", "ns", "cluster.local"), "https://old.example.com/");
        assert.equal(serviceUrl(service({ route: { ...route, hostnames: [] } }), "api", "ns", "cluster.local"), "http://api.ns.svc.cluster.local:8080");
        assert.equal(routeUrl(service({ route: { ...route, scheme: "http", rules: [{ matches: [{ path: { type: "RegularExpression", value: "/v[0-9]+" } }] }] } }).route), "http://new.example.com/");
    });

    it("the data plane is admitted to the http port and the routed gRPC port, only when the service has a route", () => {
        const policy = networkPolicySchema.parse({ gatewayDataPlane: dataPlane });
        const s = service({ service: { extraPorts: [{ name: "grpc", port: 9000, targetPort: 9001 }] }, route: { enabled: true, parentRefs: [parent], grpcPort: "grpc" } });
        const inputs = { selector: {}, calls: [], calledBy: [], monitoringEnabled: false, vectorDb: { type: "none" } } as never;
        assert.deepEqual(gatewayIngress(s, policy, inputs), [{ from: [{ namespaceSelector: { matchLabels: dataPlane.namespaceSelector }, podSelector: { matchLabels: dataPlane.podSelector } }], ports: [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 9001 }] }]);
        assert.deepEqual(gatewayIngress(service(), policy, inputs), []);
    });
});

describe("gateway: the Gateway a stack owns", () => {
    const owned = () => gatewaySchema.parse({
        create: true,
        className: "eg",
        certManagerClusterIssuer: "letsencrypt-prod",
        listeners: [{ name: "https", hostname: "llm.example.com" }, { name: "https-shared", hostname: "*.example.com", certificateSecret: "wildcard-tls", certificateNamespace: "cert-store" }, { name: "http", protocol: "HTTP", port: 80 }],
    });

    it("HTTPS listeners terminate TLS with their Secret; cert-manager's issuer is the Gateway's annotation", () => {
        const args = resolveGateway(owned(), { instance: "llm-platform-prod", partOf: "llm-platform" })!;
        assert.deepEqual(gatewayAnnotations(args), { "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
        assert.deepEqual(gatewaySpec(args), {
            gatewayClassName: "eg",
            listeners: [
                { name: "https", protocol: "HTTPS", port: 443, hostname: "llm.example.com", allowedRoutes: { namespaces: { from: "Same" } }, tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "platform-gateway-https-tls" }] } },
                { name: "https-shared", protocol: "HTTPS", port: 443, hostname: "*.example.com", allowedRoutes: { namespaces: { from: "Same" } }, tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "wildcard-tls", namespace: "cert-store" }] } },
                { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
            ],
        });
    });

    it("a certificate in another namespace gets a ReferenceGrant there, from this Gateway's namespace to that Secret; one in its own gets none", () => {
        const args = resolveGateway(owned(), { instance: "llm-platform-prod", partOf: "llm-platform" })!;
        assert.deepEqual(certificateGrants(args, "llm-platform-prod"), [
            { namespace: "cert-store", spec: { from: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "llm-platform-prod" }], to: [{ group: "", kind: "Secret", name: "wildcard-tls" }] } },
        ]);
        assert.equal(resolveGateway(gatewaySchema.parse({}), { instance: "x", partOf: "y" }), undefined);
    });

    it("cert-manager's HTTP-01 solver for the stack's Gateway admits the data plane; an Ingress's, the ingress controller", () => {
        const networkPolicy = networkPolicySchema.parse({ gatewayDataPlane: dataPlane });
        assert.deepEqual(acmeSolverPeers({ networkPolicy, gateway: owned(), services: { api: service() } }), [dataPlane]);
        const ingress = service({ ingress: { enabled: true, hosts: [{ host: "a.example.com" }], tls: { enabled: true }, certManagerClusterIssuer: "x" } });
        assert.deepEqual(acmeSolverPeers({ networkPolicy, gateway: gatewaySchema.parse({}), services: { api: ingress } }), [networkPolicy.ingressController]);
        assert.deepEqual(acmeSolverPeers({ networkPolicy: { ...networkPolicy, acmeChallenge: "dns01" }, gateway: owned(), services: { api: ingress } }), []);
    });

    it("durations add their parts in milliseconds", () => {
        assert.equal(durationMs("1m30s"), 90_000);
        assert.equal(durationMs("1h500ms"), 3_600_500);
    });
});

describe("gateway: config rules agree with the Gateway API's", () => {
    const routed = (route: Values): ((v: Values) => void) => (v) => {
        v.services.api.route = { enabled: true, parentRefs: [{ name: "gw" }], ...route };
        v.networkPolicy = { gatewayDataPlane: dataPlane };
    };

    it("host names: lowercase DNS names, a wildcard only as the whole first label", () => {
        assert.equal(
            reportOf(stagingBase, routed({ hostnames: ["api.example.com", "*.example.com", "a.*.example.com", "API.example.com", "10.0.0.1"] })),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - services.api.route.hostnames.2: given \"a.*.example.com\"; expected a lowercase host name such as \"api.example.com\" (or \"*.example.com\": a wildcard only as the whole first label), at most 253 characters, no IP address\n" +
            "  - services.api.route.hostnames.3: given \"API.example.com\"; expected a lowercase host name such as \"api.example.com\" (or \"*.example.com\": a wildcard only as the whole first label), at most 253 characters, no IP address\n" +
            "  - services.api.route.hostnames.4: given \"10.0.0.1\"; expected a lowercase host name such as \"api.example.com\" (or \"*.example.com\": a wildcard only as the whole first label), at most 253 characters, no IP address",
        );
    });

    it("paths: Exact and PathPrefix by the CRD's CEL rules; a RegularExpression must compile", () => {
        assert.equal(
            reportOf(stagingBase, routed({ rules: [{ matches: [{ path: { value: "api//v1" } }, { path: { type: "Exact", value: "/a#b" } }, { path: { type: "RegularExpression", value: "/v(" } }, { path: { type: "RegularExpression", value: "/v[0-9]+" } }] }] })),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - services.api.route.rules.0.matches.0.path.value: given \"api//v1\"; expected a PathPrefix path that must be an absolute path and start with '/'; must not contain '//'\n" +
            "  - services.api.route.rules.0.matches.1.path.value: given \"/a#b\"; expected a Exact path that must not contain '#'; must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)\n" +
            "  - services.api.route.rules.0.matches.2.path.value: given \"/v(\"; expected a regular expression (RE2 or the implementation's dialect) that compiles",
        );
    });

    it("at most 16 rules and 16 host names; a backendRequest timeout within the request's", () => {
        assert.equal(
            reportOf(stagingBase, routed({ hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`), rules: [...Array.from({ length: 16 }, () => ({})), { timeouts: { request: "10s", backendRequest: "1m" } }] })),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - services.api.route.hostnames: given \"17 hostnames\"; expected at most 16 hostnames (the Gateway API's limit)\n" +
            "  - services.api.route.rules: given \"17 rules\"; expected at most 16 rules (the Gateway API's limit)\n" +
            "  - services.api.route.rules.16.timeouts.backendRequest: given \"1m\"; expected at most timeouts.request (10s): backendRequest timeout cannot be longer than request timeout",
        );
    });

    it("timeouts are Gateway API durations (GEP-2257), not Go's or nginx's", () => {
        assert.equal(
            reportOf(stagingBase, routed({ rules: [{ timeouts: { request: "5 minutes", backendRequest: "1.5s" } }] })),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.route.rules.0.timeouts.backendRequest: given \"1.5s\"; expected a Gateway API duration such as \"300s\", \"5m\" or \"1m30s\" (h, m, s, ms; at most 5 digits a unit)\n" +
            "  - services.api.route.rules.0.timeouts.request: given \"5 minutes\"; expected a Gateway API duration such as \"300s\", \"5m\" or \"1m30s\" (h, m, s, ms; at most 5 digits a unit)",
        );
    });

    it("a route needs a parent, a gRPC port among the extra ports, and with policies on the data plane's selector", () => {
        assert.equal(
            reportOf(stagingBase, (v) => { v.services.api.route = { enabled: true, grpcPort: "grpc" }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - networkPolicy.gatewayDataPlane: given nothing; expected the namespaceSelector and podSelector of the Gateway's proxy pods (docs/network.md lists them per implementation), because services.api.route is enabled and NetworkPolicies are on\n" +
            "  - services.api.route.grpcPort: given \"grpc\"; expected the name of one of services.api.service.extraPorts (none)\n" +
            "  - services.api.route.parentRefs: given []; expected at least one Gateway to attach to, such as [{ name: platform-gateway, namespace: gateway-system }]",
        );
    });

    it("a Gateway in another namespace admits the route by its allowedRoutes, which gateway.shared must state (a ReferenceGrant doesn't apply)", () => {
        const attach = (shared: Values[]) => (v: Values) => { routed({ parentRefs: [parent] })(v); v.gateway = { shared }; v.namespace = { labels: { team: "llm" } }; };
        assert.equal(
            reportOf(stagingBase, attach([])),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.route.parentRefs.0.namespace: given \"gateway-system\"; expected a Gateway listed in gateway.shared with the allowedRoutes it gives this namespace (llm-platform-test): gateway-system/platform-gateway in another namespace admits routes only by its listeners' allowedRoutes",
        );
        assert.equal(
            reportOf(stagingBase, attach([{ name: "platform-gateway", namespace: "gateway-system", allowedRoutes: "Same" }])),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.route.parentRefs.0.namespace: given \"gateway-system\"; expected a Gateway that admits routes from llm-platform-test: gateway-system/platform-gateway admits only its own namespace's (allowedRoutes Same)",
        );
        assert.equal(
            reportOf(stagingBase, attach([{ name: "platform-gateway", namespace: "gateway-system", allowedRoutes: "Selector", namespaceLabels: { "gateway-access": "true" } }])),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - namespace.labels: given {\"team\":\"llm\"}; expected the labels gateway-system/platform-gateway's allowedRoutes selector matches (gateway-access: true), because services.api.route attaches to it",
        );
        assert.equal(reportOf(stagingBase, attach([{ name: "platform-gateway", namespace: "gateway-system", allowedRoutes: "All" }])), "Stack config of \"test\" has 0 problems:\n");
    });

    it("the stack's Gateway: a class, listeners with unique names and combinations, a host name for cert-manager, no TLS on HTTP", () => {
        assert.equal(
            reportOf(stagingBase, (v) => { v.gateway = { create: true, certManagerClusterIssuer: "le", listeners: [{ name: "https" }, { name: "https", hostname: "a.example.com" }, { name: "web", protocol: "HTTP", port: 80, certificateSecret: "x" }, { name: "web2", protocol: "HTTP", port: 80 }] }; }),
            "Stack config of \"test\" has 5 problems:\n" +
            "  - gateway.className: given nothing; expected the GatewayClass of the created Gateway, such as \"eg\" (Envoy Gateway), because gateway.create is true\n" +
            "  - gateway.listeners.0.hostname: given nothing; expected a host name, because cert-manager issues a certificate only for an HTTPS listener with a hostname (gateway.certManagerClusterIssuer is set)\n" +
            "  - gateway.listeners.1.name: given \"https\"; expected a name no other listener has: Listener name must be unique within the Gateway (gateway.listeners.0 has it)\n" +
            "  - gateway.listeners.2.certificateSecret: given a string of 1 character; expected nothing on an HTTP listener: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']\n" +
            "  - gateway.listeners.3: given \"80/HTTP/\"; expected another port, protocol or hostname: Combination of port, protocol and hostname must be unique for each listener (gateway.listeners.2 has it)",
        );
    });
});

describe("gateway: a route-only stack through the program", () => {
    const routeOnly = {
        set: {
            services: {
                orchestrator: {
                    image: { repository: "ghcr.io/acme/llm-orchestrator", tag: "1.4.2" },
                    service: { extraPorts: [{ name: "grpc", port: 9000 }] },
                    route: { enabled: true, parentRefs: [{ name: "platform-gateway" }], hostnames: ["llm.staging.example.com"], grpcPort: "grpc", rules: [{ timeouts: { backendRequest: "300s" } }] },
                },
            },
            networkPolicy: { gatewayDataPlane: dataPlane },
            gateway: { create: true, className: "eg", certManagerClusterIssuer: "letsencrypt-staging", listeners: [{ name: "https", hostname: "llm.staging.example.com" }, { name: "https-wildcard", hostname: "*.staging.example.com", certificateSecret: "wildcard-tls", certificateNamespace: "cert-store" }] },
        },
    };

    it("staging with a route and no Ingress: HTTPRoute, GRPCRoute and Gateway, schema-valid with no unknown field, and the URL is the route's", async () => {
        const run = await runStack("staging", routeOnly);
        assert.deepEqual(run.ofType("kubernetes:networking.k8s.io/v1:Ingress"), []);
        const objects = ["HTTPRoute", "GRPCRoute", "Gateway", "ReferenceGrant"].map((kind) => run.one(`kubernetes:gateway.networking.k8s.io/v1:${kind}`).inputs);
        for (const object of objects) {
            assert.deepEqual(await schemaProblems(object), [], object.kind);
            assert.deepEqual(await unknownFields(object), [], object.kind);
        }
        assert.deepEqual(objects[0].spec.rules[0].timeouts, { backendRequest: "300s" });
        assert.deepEqual(objects[3].metadata, { name: "llm-platform-staging-platform-gateway-certificates", namespace: "cert-store", labels: objects[2].metadata.labels });
        assert.equal(objects[2].metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
        assert.equal((run.outputs.services as Record<string, { url: string }>).orchestrator.url, "https://llm.staging.example.com/");
    });

    it("its NetworkPolicies admit the data plane to the service (http and gRPC) and to cert-manager's solver", async () => {
        const run = await runStack("staging", routeOnly);
        const policies = run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
        const service = policies.find((p) => p.metadata.name === "orchestrator")!;
        const peer = { namespaceSelector: { matchLabels: dataPlane.namespaceSelector }, podSelector: { matchLabels: dataPlane.podSelector } };
        assert.deepEqual(service.spec.ingress.find((rule: { from: unknown[] }) => JSON.stringify(rule.from) === JSON.stringify([peer])).ports, [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 9000 }]);
        const solver = policies.find((p) => String(p.metadata.name).endsWith("acme-http01-solver"))!;
        assert.deepEqual(solver.spec.ingress, [{ from: [peer], ports: [{ protocol: "TCP", port: 8089 }] }]);
    });

    it("a misspelt field in an HTTPRoute is reported with its path", async () => {
        const route = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "a" }, spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "a", port: 80 }], timeout: { request: "1s" } }] } };
        assert.deepEqual(await unknownFields(route), [".spec.rules[0].timeout"]);
    });
});

describe("gateway: two services' routes", () => {
    it("may not claim one host and path on one Gateway (the oldest route would take it silently)", () => {
        assert.equal(
            reportOf(stagingBase, (v) => {
                const route = { enabled: true, parentRefs: [{ name: "gw" }], hostnames: ["a.example.com"] };
                v.services.api.route = route;
                v.services.web = { image, route: { ...route, rules: [{ matches: [{ path: { value: "/web" } }, { path: { value: "/" } }] }] } };
                v.networkPolicy = { gatewayDataPlane: dataPlane };
            }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.web.route.rules.0.matches.1.path: given \"/\"; expected a path no other route of the stack claims on gw for a.example.com: services.api.route.rules.0.matches.0.path already does",
        );
    });
});
