/**
 * How secrets are recognised: by the name of a key, by the known shapes of credentials, and (as a
 * heuristic) by the randomness of long strings. The config's error messages use it to describe a
 * value instead of printing it, and the policy pack's ConfigMap policies to find secrets; either
 * way a finding names the key and what the value looks like, never the value, so nothing copies a
 * secret into the CLI output, a PR comment or the Pulumi Cloud policy log.
 *
 * It lives here because the published policy pack is uploaded from policy/ alone and so cannot
 * import lib/; lib/credentials.ts re-exports it for the config.
 */

/** Words that name a secret when they are a word of the key ("DB_PASSWORD", "apiKey"). */
const secretWords = new Set(["password", "passwd", "pwd", "passphrase", "secret", "secrets", "token", "credential", "credentials", "apikey"]);
/** Two-word names of secrets ("PRIVATE_KEY", "accessKey"). */
const secretPairs = new Set(["api key", "private key", "access key", "signing key", "encryption key"]);
/**
 * A key that ends with one of these names where a secret is, not the secret itself:
 * "PASSWORD_FILE", "TOKEN_PATH", "passwordSecretName".
 */
const referenceWords = new Set(["file", "path", "name", "ref"]);

/** The words of a key: "openaiApiKey" and "OPENAI_API_KEY" both give ["openai", "api", "key"]. */
export function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((word) => word.length > 0);
}

/**
 * Whether a ConfigMap key names a secret. Whole words count, so "MAX_TOKENS" and "tokenizer"
 * (settings an LLM application has) do not.
 */
export function isSecretLikeKey(key: string): boolean {
    const words = keyWords(key);
    if (words.length === 0 || referenceWords.has(words[words.length - 1])) return false;
    if (words.some((word) => secretWords.has(word))) return true;
    return words.slice(1).some((word, i) => secretPairs.has(`${words[i]} ${word}`));
}

/** Shapes of credentials that are never configuration, with what each is called in a message. */
export const credentialPatterns: readonly { readonly name: string; readonly pattern: RegExp }[] = [
    { name: "a PEM private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
    { name: "an OpenAI or Anthropic API key (sk-…)", pattern: /(?:^|[^A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/ },
    { name: "an AWS access key ID", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { name: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
    { name: "a GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
    { name: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { name: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
    { name: "a URL with an embedded password", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i },
];

/** The name of the first credential shape a value has, if any. */
export function credentialIn(value: string): string | undefined {
    return credentialPatterns.find(({ pattern }) => pattern.test(value))?.name;
}

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(text: string): number {
    const counts = new Map<string, number>();
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    let entropy = 0;
    for (const count of counts.values()) {
        const p = count / text.length;
        entropy -= p * Math.log2(p);
    }
    return entropy;
}

/** Thresholds of the high-entropy heuristic. */
export interface EntropyThresholds {
    /** Shortest run of token characters considered. */
    readonly minLength: number;
    /** Least entropy, in bits per character, that counts as random. */
    readonly minEntropy: number;
}

/**
 * Whether a value contains a long, random-looking token: a run of base64/URL-safe characters
 * with letters and digits whose entropy reaches the threshold. Hex strings (digests, UUIDs) top
 * out at 4 bits per character, so a threshold above 4 leaves them alone; paths and prose rarely
 * mix digits in and score lower.
 */
export function hasHighEntropyToken(value: string, thresholds: EntropyThresholds): boolean {
    const tokens = value.match(new RegExp(`[A-Za-z0-9+/=_-]{${thresholds.minLength},}`, "g")) ?? [];
    return tokens.some(
        (token) => /[A-Za-z]/.test(token) && /[0-9]/.test(token) && shannonEntropy(token) >= thresholds.minEntropy,
    );
}
