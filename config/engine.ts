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
 * This stack's config as plain values. Secret values are never parsed or kept here: they stand as
 * "[secret]", and the program reads them with `pulumi.Config.getSecret`.
 */
export function readEngineConfig(): RawConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const otherKeys: string[] = [];
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            otherKeys.push(fullKey);
            continue;
        }
        const key = fullKey.slice(prefix.length);
        const isSecret = isSecretKey(fullKey);
        if (isSecret) secretKeys.add(key);
        values[key] = isSecret ? "[secret]" : parseValue(text);
    }
    return { project, stack: pulumi.getStack(), values, secretKeys, otherKeys };
}
