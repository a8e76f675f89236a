// Stand-ins for three controllers every real cluster has and the local control plane lacks, so
// that the Kubernetes provider's await logic runs for real instead of waiting until its timeout:
//
//   ingress      publishes status.loadBalancer.ingress (ip 127.0.0.1) on every Ingress of an
//                IngressClass whose controller is INGRESS_CONTROLLER (or of no class, when such a
//                class is the default), as ingress-nginx does; the provider waits for it.
//   gateway      accepts the GatewayClasses whose controllerName is GATEWAY_CONTROLLER, accepts
//                and programs their Gateways (address 127.0.0.1), and reports every HTTPRoute and
//                GRPCRoute attached to one Accepted (status.parents), as a Gateway API
//                implementation does; nothing forwards traffic.
//   provisioner  binds Pending PersistentVolumeClaims of a StorageClass whose provisioner is
//                PROVISIONER to a new hostPath PersistentVolume of the requested size (the
//                controller-manager's binder completes the binding), and deletes those volumes
//                once released when the class says Delete; the charts' PVCs then bind.
//
// Run by scripts/toolchain/cluster.sh (started and stopped like kwok, with a pid file), which
// creates the IngressClass and the default StorageClass:
//   node stand-ins.mjs --server https://127.0.0.1:26440 --ca ca.crt --cert admin.crt --key admin.key
// It polls the API server (LIST every POLL_MS) rather than watching: small, and nothing to resume
// after the API server restarts. Plain Node.js, no dependencies.
import * as fs from "node:fs";
import * as https from "node:https";
import { parseArgs } from "node:util";

export const INGRESS_CONTROLLER = "llm-platform.local/ingress-stand-in";
export const PROVISIONER = "llm-platform.local/hostpath";
export const GATEWAY_CONTROLLER = "llm-platform.local/gateway-stand-in";
const GATEWAY_API = "/apis/gateway.networking.k8s.io/v1";
const POLL_MS = Number(process.env.STAND_INS_POLL_MS ?? 500);

const { values: opts } = parseArgs({
    options: {
        server: { type: "string" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "ingress-ip": { type: "string", default: "127.0.0.1" },
        "volume-dir": { type: "string", default: "/tmp/llm-platform-volumes" },
    },
});
for (const k of ["server", "ca", "cert", "key"]) {
    if (!opts[k]) {
        console.error(`stand-ins: --${k} is required`);
        process.exit(2);
    }
}
const agent = new https.Agent({
    ca: fs.readFileSync(opts.ca),
    cert: fs.readFileSync(opts.cert),
    key: fs.readFileSync(opts.key),
    keepAlive: true,
});

const log = (msg) => console.log(`${new Date().toISOString()} ${msg}`);

/** One API request; resolves to the parsed body, or rejects with the status and message. */
function api(method, path, body, contentType = "application/json") {
    return new Promise((resolve, reject) => {
        const req = https.request(new URL(path, opts.server), { method, agent, headers: body ? { "Content-Type": contentType } : {} }, (res) => {
            let data = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (data += c));
            res.on("end", () => {
                // An unknown API group (the Gateway API before its CRDs) answers 404 in plain text.
                let parsed = {};
                try {
                    parsed = data ? JSON.parse(data) : {};
                } catch {
                    parsed = { message: data };
                }
                if (res.statusCode >= 300) {
                    const err = new Error(`${method} ${path}: ${res.statusCode} ${parsed.message ?? data}`);
                    err.status = res.statusCode;
                    reject(err);
                } else resolve(parsed);
            });
        });
        req.on("error", reject);
        if (body) req.write(JSON.stringify(body));
        req.end();
    });
}

const isDefault = (o) => o.metadata.annotations?.["ingressclass.kubernetes.io/is-default-class"] === "true" ||
    o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true";

async function publishIngressAddresses() {
    const classes = (await api("GET", "/apis/networking.k8s.io/v1/ingressclasses")).items.filter((c) => c.spec.controller === INGRESS_CONTROLLER);
    const ours = new Set(classes.map((c) => c.metadata.name));
    const defaultIsOurs = classes.some(isDefault);
    for (const ing of (await api("GET", "/apis/networking.k8s.io/v1/ingresses")).items) {
        const cls = ing.spec.ingressClassName ?? ing.metadata.annotations?.["kubernetes.io/ingress.class"];
        if (cls === undefined ? !defaultIsOurs : !ours.has(cls)) continue;
        if ((ing.status?.loadBalancer?.ingress ?? []).length > 0) continue;
        const { namespace, name } = ing.metadata;
        await api(
            "PATCH",
            `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}/status`,
            { status: { loadBalancer: { ingress: [{ ip: opts["ingress-ip"] }] } } },
            "application/merge-patch+json",
        );
        log(`ingress ${namespace}/${name}: address ${opts["ingress-ip"]}`);
    }
}

const condition = (type, reason, generation) => ({ type, status: "True", reason, message: `${reason} by the stand-in`, observedGeneration: generation, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
const mergePatch = "application/merge-patch+json";

/**
 * A Gateway API controller as far as status goes: it accepts its GatewayClasses, accepts and
 * programs their Gateways (address --ingress-ip), and reports each HTTPRoute and GRPCRoute whose
 * parentRef names such a Gateway Accepted with its refs resolved, as Envoy Gateway or another
 * implementation would (without forwarding any traffic). Without the Gateway API CRDs it does nothing.
 */
async function acceptGateways() {
    const classes = await api("GET", `${GATEWAY_API}/gatewayclasses`).catch((err) => (err.status === 404 ? undefined : Promise.reject(err)));
    if (!classes) return;
    const ours = new Set();
    for (const cls of classes.items.filter((c) => c.spec.controllerName === GATEWAY_CONTROLLER)) {
        ours.add(cls.metadata.name);
        if ((cls.status?.conditions ?? []).some((c) => c.type === "Accepted" && c.status === "True" && c.observedGeneration === cls.metadata.generation)) continue;
        await api("PATCH", `${GATEWAY_API}/gatewayclasses/${cls.metadata.name}/status`, { status: { conditions: [condition("Accepted", "Accepted", cls.metadata.generation)] } }, mergePatch);
        log(`gatewayclass ${cls.metadata.name}: accepted`);
    }
    const gateways = new Set();
    for (const gw of (await api("GET", `${GATEWAY_API}/gateways`)).items.filter((g) => ours.has(g.spec.gatewayClassName))) {
        const { namespace, name, generation } = gw.metadata;
        gateways.add(`${namespace}/${name}`);
        if ((gw.status?.conditions ?? []).some((c) => c.type === "Programmed" && c.status === "True" && c.observedGeneration === generation)) continue;
        const listeners = gw.spec.listeners.map((l) => ({
            name: l.name,
            supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }, { group: "gateway.networking.k8s.io", kind: "GRPCRoute" }],
            attachedRoutes: 0,
            conditions: [condition("Accepted", "Accepted", generation), condition("Programmed", "Programmed", generation), condition("ResolvedRefs", "ResolvedRefs", generation)],
        }));
        const status = { addresses: [{ type: "IPAddress", value: opts["ingress-ip"] }], conditions: [condition("Accepted", "Accepted", generation), condition("Programmed", "Programmed", generation)], listeners };
        await api("PATCH", `${GATEWAY_API}/namespaces/${namespace}/gateways/${name}/status`, { status }, mergePatch);
        log(`gateway ${namespace}/${name}: accepted and programmed, address ${opts["ingress-ip"]}`);
    }
    for (const plural of ["httproutes", "grpcroutes"]) {
        for (const route of (await api("GET", `${GATEWAY_API}/${plural}`)).items) {
            const { namespace, name, generation } = route.metadata;
            const parents = (route.spec.parentRefs ?? []).filter((p) => (p.kind ?? "Gateway") === "Gateway" && gateways.has(`${p.namespace ?? namespace}/${p.name}`));
            if (parents.length === 0) continue;
            const reported = route.status?.parents ?? [];
            if (reported.length === parents.length && reported.every((p) => p.conditions.some((c) => c.type === "Accepted" && c.observedGeneration === generation))) continue;
            const status = {
                parents: parents.map((parentRef) => ({
                    parentRef,
                    controllerName: GATEWAY_CONTROLLER,
                    conditions: [condition("Accepted", "Accepted", generation), condition("ResolvedRefs", "ResolvedRefs", generation)],
                })),
            };
            await api("PATCH", `${GATEWAY_API}/namespaces/${namespace}/${plural}/${name}/status`, { status }, mergePatch);
            log(`${plural.slice(0, -1)} ${namespace}/${name}: accepted by ${parents.map((p) => `${p.namespace ?? namespace}/${p.name}`).join(", ")}`);
        }
    }
}

async function provisionVolumes() {
    const classes = new Map(
        (await api("GET", "/apis/storage.k8s.io/v1/storageclasses")).items.filter((c) => c.provisioner === PROVISIONER).map((c) => [c.metadata.name, c]),
    );
    if (classes.size === 0) return;
    for (const pvc of (await api("GET", "/api/v1/persistentvolumeclaims")).items) {
        const cls = classes.get(pvc.spec.storageClassName ?? "");
        if (!cls || pvc.status?.phase !== "Pending" || pvc.spec.volumeName) continue;
        const { namespace, name, uid } = pvc.metadata;
        const pvName = `pvc-${uid}`;
        const pv = {
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: pvName, annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER } },
            spec: {
                capacity: { storage: pvc.spec.resources.requests.storage },
                accessModes: pvc.spec.accessModes,
                volumeMode: pvc.spec.volumeMode ?? "Filesystem",
                storageClassName: cls.metadata.name,
                persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? "Delete",
                claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name, uid },
                hostPath: { path: `${opts["volume-dir"]}/${pvName}`, type: "DirectoryOrCreate" },
            },
        };
        try {
            await api("POST", "/api/v1/persistentvolumes", pv);
            log(`pvc ${namespace}/${name}: volume ${pvName} (${pv.spec.capacity.storage})`);
        } catch (err) {
            if (err.status !== 409) throw err; // already provisioned, the binder has yet to bind it
        }
    }
    for (const pv of (await api("GET", "/api/v1/persistentvolumes")).items) {
        if (pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] !== PROVISIONER) continue;
        if (pv.status?.phase !== "Released" || pv.spec.persistentVolumeReclaimPolicy !== "Delete") continue;
        await api("DELETE", `/api/v1/persistentvolumes/${pv.metadata.name}`).catch((err) => {
            if (err.status !== 404) throw err;
        });
        log(`volume ${pv.metadata.name}: released, deleted`);
    }
}

let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => (stopping = true));
log(`stand-ins: ingress controller ${INGRESS_CONTROLLER}, gateway controller ${GATEWAY_CONTROLLER}, provisioner ${PROVISIONER}, API ${opts.server}`);
let lastError = "";
while (!stopping) {
    for (const task of [publishIngressAddresses, provisionVolumes, acceptGateways]) {
        try {
            await task();
        } catch (err) {
            // The API server may be starting or stopping; report each new error once and go on.
            if (String(err.message) !== lastError) log(`${task.name}: ${err.message}`);
            lastError = String(err.message);
        }
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
}
agent.destroy();
