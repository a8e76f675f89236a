import { strict as assert } from "assert";
import { runStack, stacks } from "./mocks";
import { schemaProblems, unknownFields } from "./k8s-schema";

/** The objects a run sends to the Kubernetes API (Helm charts are checked by their own tests). */
function kubernetesObjects(resources: { type: string; inputs: any }[]) {
    return resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));
}

describe("every Kubernetes object matches the upstream schema", () => {
    for (const stack of stacks) {
        it(`${stack}: schema-valid, with no unknown field`, async () => {
            const run = await runStack(stack);
            const objects = kubernetesObjects(run.resources);
            assert.ok(objects.length > 5, `only ${objects.length} objects`);
            for (const { type, name, inputs } of objects as { type: string; name: string; inputs: any }[]) {
                assert.deepEqual(await schemaProblems(inputs), [], `${type} ${name}`);
                assert.deepEqual(await unknownFields(inputs), [], `${type} ${name}`);
            }
        });
    }

    const deployment = () => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: {
            selector: { matchLabels: { app: "api" } },
            template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "x:1", imagePullPolicy: "IfNotPresent" }] } },
        },
    });

    it("a misspelt field in a core object is reported with its path", async () => {
        const object: any = deployment();
        object.spec.template.spec.containers[0].imagePullPolice = "Always";
        object.spec.strategyy = {};
        assert.deepEqual(await schemaProblems(object), []);
        assert.deepEqual((await unknownFields(object)).sort(), [".spec.strategyy", ".spec.template.spec.containers[0].imagePullPolice"]);
    });

    it("labels and annotations are free-form maps, not unknown fields", async () => {
        const object: any = deployment();
        object.metadata.labels = { "anything.example.com/x": "y" };
        object.metadata.annotations = { "some/annotation": "z" };
        assert.deepEqual(await unknownFields(object), []);
    });

    it("a wrong type in a core object is a schema problem", async () => {
        const object: any = deployment();
        object.spec.replicas = "three";
        assert.deepEqual(await schemaProblems(object), ["/spec/replicas must be integer"]);
    });

    it("a misspelt field in a ServiceMonitor is reported with its path", async () => {
        const monitor = {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "api", labels: { release: "x" } },
            spec: { selector: { matchLabels: { app: "api" } }, endpoints: [{ port: "metrics", intervall: "15s", relabelings: [{ sourceLabels: ["a"], targetLabel: "b" }] }] },
        };
        assert.deepEqual(await schemaProblems(monitor), []);
        assert.deepEqual(await unknownFields(monitor), [".spec.endpoints[0].intervall"]);
    });

    it("a custom resource's field named like a member of every object (constructor, toString) is unknown too", async () => {
        const rule = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" }, spec: { constructor: 1, groups: [{ name: "g", rules: [], toString: "x" }] } };
        assert.deepEqual(await unknownFields(rule), [".spec.constructor", ".spec.groups[0].toString"]);
    });

    it("a custom resource the program doesn't create (a PodMonitor) is checked too, and an unknown kind is refused", async () => {
        const monitor = { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: "api" }, spec: { selector: {}, podMetricsEndpoints: [{ port: "metrics", pathh: "/m" }] } };
        assert.deepEqual(await schemaProblems(monitor), []);
        assert.deepEqual(await unknownFields(monitor), [".spec.podMetricsEndpoints[0].pathh"]);
        await assert.rejects(unknownFields({ apiVersion: "monitoring.coreos.com/v1", kind: "Nope", metadata: {} }), /^Error: no type INope in @kubernetes-models\/prometheus-operator\/monitoring.coreos.com\/v1$/);
        assert.deepEqual(await schemaProblems({ apiVersion: "apps/v1", kind: "Nope" }), ["no model for apps/v1 Nope in kubernetes-models/apps/v1"]);
    });
});
