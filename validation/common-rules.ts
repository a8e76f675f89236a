/** Rules that several sections apply to their own keys: immutable images in production, and no secret pasted into a plain setting. */
import { ImageRef, isMutableReference, mutableTags } from "../lib/image";
import { credentialIn, isSecretLikeKey } from "../lib/credentials";
import { Problem, described, shapeOf } from "./problem";
import type { Environment } from "./primitives";


/** What production asks of every image the stack runs. */
export const immutableInProduction = `an immutable release tag or a digest in production (mutable tags: ${mutableTags.join(", ")})`;

/**
 * An image production would run from a moving target: a mutable tag, or no tag (the runtime pulls
 * "latest"), without a digest. One rule for every image of the stack: the services', their init
 * containers' and checks', and the data tier's.
 */
export function mutableImageProblems(key: string, image: ImageRef, environment: Environment | undefined): Problem[] {
    if (environment !== "production" || !isMutableReference(image)) return [];
    return [{ key, given: image.tag ?? described("no tag (the runtime pulls \"latest\")"), expected: immutableInProduction }];
}

/** Why a plain value must not hold a secret, and where secrets go instead. */
const secretPointer =
    "no secret: plain values land in a ConfigMap and the stack file in plaintext. Make it an entry of the secret catalog (secrets.entries: from pulumi config set --secret, a secret manager or an existing Secret) and list it in the service's secrets";

/**
 * A secret pasted into a plain value: a name that says secret ("OPENAI_API_KEY") or a value shaped
 * like a credential ("sk-…", "AKIA…", a private key). `key` is the value's config key.
 */
export function plainSecretProblems(key: string, name: string, value: unknown): Problem[] {
    const credential = typeof value === "string" ? credentialIn(value) : undefined;
    if (credential !== undefined) return [{ key, given: described(`${shapeOf(value)} shaped like ${credential}`), expected: secretPointer }];
    if (isSecretLikeKey(name)) return [{ key, given: value, expected: `${secretPointer} (the name ${JSON.stringify(name)} says it is a secret)` }];
    return [];
}
