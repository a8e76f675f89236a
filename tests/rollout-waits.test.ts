/**
 * What `pulumi up` waits for, in order (#14 item 4). A resource that depends on another is created
 * after the other is ready, and for a Deployment, a Job or a Service (its endpoints) ready means
 * the pods are: a dependency on one of those serialises a resource behind the rollout. Only what
 * needs the rollout may wait for it.
 */
import { strict as assert } from "assert";
import { RecordedResource, runStack, stacks } from "./mocks";

/** The kinds whose creation the Kubernetes provider awaits until pods are ready or done. */
const awaited = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job", "kubernetes:core/v1:Service", "kubernetes:helm.sh/v4:Chart"];

/** "<type>::<name>" of every resource that waits for an awaited one, with what it waits for. */
function waitsForRollouts(resources: readonly RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources.flatMap((r) =>
        r.options.dependsOn
            .map((urn) => byUrn.get(urn))
            .filter((d): d is RecordedResource => d !== undefined && awaited.includes(d.type))
            .map((d) => `${r.type}::${r.name} <- ${d.type}::${d.name}`),
    );
}

describe("pulumi up: only what needs a rollout waits for it", () => {
    for (const stack of stacks) {
        it(`${stack}: the post-deploy check waits for the Deployment and the Service, the destroy guard for everything; nothing else waits for a rollout`, async () => {
            const run = await runStack(stack);
            const waits = waitsForRollouts(run.resources).filter((w) => !w.startsWith("kubernetes:core/v1:ConfigMap::destroy-guard "));
            assert.deepEqual(
                waits.filter((w) => !/^kubernetes:batch\/v1:Job::[a-z0-9-]+-check <- /.test(w)),
                [],
                "a resource other than the post-deploy check waits for a rollout",
            );
            if (stack !== "dev") assert.ok(waits.length > 0, "the post-deploy check waits for its service's rollout");
        });
    }

    it("prod: the HPA, the Ingress and the ServiceMonitor are created alongside the Deployment, not after its rollout", async () => {
        const run = await runStack("prod");
        for (const type of ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"]) {
            const [resource] = run.ofType(type);
            assert.ok(resource, `prod has a ${type}`);
            assert.deepEqual(waitsForRollouts([resource, ...run.resources.filter((r) => r !== resource)]).filter((w) => w.startsWith(`${type}::`)), [], type);
        }
    });
});
