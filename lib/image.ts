/**
 * Container image references: their grammar (the OCI distribution reference grammar, as the
 * container runtime parses them), what the pods run, and what counts as a moving target.
 * https://github.com/distribution/reference/blob/main/reference.go
 */

const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
/** A registry: a host name, IPv4 address or [IPv6] address, with an optional port ("registry.internal:5000"). */
const registrySource = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
/** A repository path: lowercase components separated by "/" ("bitnamilegacy/postgresql"). */
const pathSource = `${pathComponent}(?:/${pathComponent})*`;
const tagSource = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const digestSource = "(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})";

/** A registry host, with an optional port. */
export const registryPattern = new RegExp(`^${registrySource}$`);
/** A repository path without a registry. */
export const repositoryPathPattern = new RegExp(`^${pathSource}$`);
/**
 * A repository with an optional registry: "ghcr.io/acme/api", "busybox". The first component is
 * a registry when it has a "." or a ":" or is "localhost" (the runtime's rule); it carries no tag.
 */
export const repositoryPattern = new RegExp(`^(?:(?:${registrySource})/)?${pathSource}$`);
/** An image tag. */
export const tagPattern = new RegExp(`^${tagSource}$`);
/** An image content digest the runtime verifies. */
export const digestPattern = new RegExp(`^${digestSource}$`);
/** The longest repository name (registry and path) the grammar allows. */
export const maxRepositoryLength = 255;

/** Whether the first component of a name is a registry (the runtime's rule). */
function isRegistryComponent(component: string): boolean {
    return component.includes(".") || component.includes(":") || component === "localhost" || component !== component.toLowerCase();
}

/**
 * Whether a value is a repository as the runtime reads it: not when a path component has
 * uppercase letters, a component that is not the registry has a port, or it carries a tag ("api:1.0").
 */
export function isRepository(value: string): boolean {
    if (value.length > maxRepositoryLength || !repositoryPattern.test(value)) return false;
    const [first, ...rest] = value.split("/");
    if (rest.length === 0) return repositoryPathPattern.test(first);
    return isRegistryComponent(first) ? registryPattern.test(first) : repositoryPathPattern.test(value);
}

/**
 * A full image reference ("busybox:1.37.0", "ghcr.io/acme/api@sha256:…") split into its parts, or
 * undefined when the runtime would refuse it. No tag and no digest means the runtime pulls "latest".
 */
export function parseImageReference(reference: string): ImageRef | undefined {
    const at = reference.indexOf("@");
    const name = at === -1 ? reference : reference.slice(0, at);
    const digest = at === -1 ? undefined : reference.slice(at + 1);
    const colon = name.lastIndexOf(":");
    const hasTag = colon > name.lastIndexOf("/");
    const repository = hasTag ? name.slice(0, colon) : name;
    const tag = hasTag ? name.slice(colon + 1) : undefined;
    if (!isRepository(repository) || (tag !== undefined && !tagPattern.test(tag)) || (digest !== undefined && !digestPattern.test(digest))) return undefined;
    return { repository, tag, digest };
}

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

/** Whether a reference without a digest runs a moving target: a mutable tag, or none ("latest"). */
export function isMutableReference(image: ImageRef): boolean {
    return image.digest === undefined && (image.tag === undefined || isMutableTag(image.tag));
}

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

/**
 * A repository moved to `registry` (a mirror): its own registry dropped, the path kept; Docker
 * Hub's official images ("busybox", "docker.io/busybox") keep their implicit "library/" path.
 */
export function repositoryAt(repository: string, registry: string): string {
    const [first, ...rest] = repository.split("/");
    const hasRegistry = rest.length > 0 && isRegistryComponent(first);
    const path = hasRegistry ? rest : [first, ...rest];
    const official = path.length === 1 && (!hasRegistry || first === "docker.io" || first === "index.docker.io");
    return `${registry}/${official ? "library/" : ""}${path.join("/")}`;
}

/** A full image reference ("busybox:1.37.0") moved to `registry`, tag and digest kept. */
export function referenceAt(reference: string, registry: string): string {
    const parsed = parseImageReference(reference);
    if (!parsed) return reference;
    const moved = repositoryAt(parsed.repository, registry);
    return `${moved}${parsed.tag === undefined ? "" : `:${parsed.tag}`}${parsed.digest === undefined ? "" : `@${parsed.digest}`}`;
}
