/** The engine's side of the config: this stack's `llm-platform:*` keys as plain values, with which of them are secret. */
import * as pulumi from "@pulumi/pulumi";
import { RawConfig } from "../validation/problem";

/** Parses a config value as the engine hands it over: objects and arrays arrive as JSON text. */
function parseValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?[0-9]+(\.[0-9]+)?)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

/**
 * Whether the engine marked a config key secret. The SDK keeps this behind an internal function
 * (the same one `Config.get` uses to warn about secrets read in plaintext).
 */
function isSecretKey(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return runtimeConfig.isConfigSecret?.(fullKey) ?? false;
}

/**
 * A stack's config as plain values, from its entries by full key (the engine's, or the Automation
 * API's `getAllConfig` and history): this project's keys, parsed as the engine hands them over;
 * a secret value is never parsed or kept: it stands as "[secret]".
 */
export function rawConfigFrom(project: string, stack: string, entries: Readonly<Record<string, { readonly value: string; readonly secret?: boolean }>>): RawConfig {
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const otherKeys: string[] = [];
    for (const [fullKey, { value, secret }] of Object.entries(entries)) {
        if (!fullKey.startsWith(prefix)) {
            otherKeys.push(fullKey);
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (secret === true) secretKeys.add(key);
        values[key] = secret === true ? "[secret]" : parseValue(value);
    }
    return { project, stack, values, secretKeys, otherKeys };
}

/**
 * This stack's config as plain values. Secret values are never parsed or kept here: they stand as
 * "[secret]", and the program reads them with `pulumi.Config.getSecret`.
 */
export function readEngineConfig(): RawConfig {
    const entries = Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).map(([fullKey, value]) => [fullKey, { value, secret: isSecretKey(fullKey) }]));
    return rawConfigFrom(pulumi.getProject(), pulumi.getStack(), entries);
}
