/**
 * The llm-platform policy pack: the project's Kubernetes baseline, checked on every preview and
 * update. Run it locally with
 *
 *     pulumi preview --stack <stack> --policy-pack policy --policy-pack-config policy/config/<stack>.json
 *
 * The policies live in ./policies so tests import them without constructing the pack, which
 * starts the analyzer server the CLI connects to.
 */
import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./policies";

new PolicyPack(packName, {
    description: "Kubernetes baseline of the llm-platform project: restricted containers, limits, pinned images, PDBs, NetworkPolicies, no secrets in ConfigMaps, no LoadBalancer Services.",
    policies,
});
