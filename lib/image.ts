/** Container image references: what the pods run, and what counts as a moving target. */

/** An image as a service's config gives it: a repository and a tag, a digest, or both. */
export interface ImageRef {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** An image as the Bitnami charts take it (`image.registry`, `.repository`, `.tag`, `.digest`). */
export interface RegistryImage {
    readonly registry: string;
    readonly repository: string;
    readonly tag: string;
    /** When set, the chart pulls `repository@digest` and ignores the tag. */
    readonly digest?: string;
}

/** Tags that name a moving target rather than a release. */
export const mutableTags = ["latest", "main", "master", "develop", "dev", "edge", "nightly", "stable", "head"];

/** Whether a tag names a moving target. */
export function isMutableTag(tag: string): boolean {
    return mutableTags.includes(tag.toLowerCase());
}

/** The image reference the pods run: the digest when there is one, otherwise the tag. */
export function imageReference(image: ImageRef): string {
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** The app.kubernetes.io/version of an image: the tag, or the digest when there is no tag. */
export function versionOf(image: ImageRef): string {
    return image.tag ?? image.digest ?? "";
}

/** The reference of a registry image: "<registry>/<repository>@<digest>", or ":<tag>" without a digest. */
export function registryImageReference(image: RegistryImage): string {
    const name = `${image.registry}/${image.repository}`;
    return image.digest ? `${name}@${image.digest}` : `${name}:${image.tag}`;
}
