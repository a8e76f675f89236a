/**
 * IP blocks in CIDR notation as numbers, so a NetworkPolicy's ipBlock can leave out the addresses
 * it must never reach: the API server accepts an `except` entry only strictly inside its `cidr`.
 */
import { isIP } from "net";

/** A parsed IP block: its family, first address and prefix length. */
interface Block {
    readonly bits: 32 | 128;
    readonly base: bigint;
    readonly prefix: number;
}

function addressValue(address: string, bits: 32 | 128): bigint {
    if (bits === 32) return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    const [head, tail = ""] = address.includes("::") ? address.split("::") : [address, undefined];
    const groups = (s: string | undefined) => (s ? s.split(":") : []);
    const left = groups(head);
    const right = groups(tail);
    const all = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
    return all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Parses "a.b.c.d/n" or an IPv6 block; undefined for anything else (IPv4-mapped IPv6 included). */
export function parseCidr(cidr: string): Block | undefined {
    const [address, prefixText] = cidr.split("/");
    const family = isIP(address ?? "");
    if (family === 0 || prefixText === undefined || (family === 6 && address.includes("."))) return undefined;
    const bits = family === 4 ? 32 : 128;
    const prefix = Number(prefixText);
    const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
    return { bits, base: addressValue(address, bits) & mask, prefix };
}

/** Whether `inner` lies strictly inside `outer` (same family, longer prefix, same leading bits). */
export function cidrStrictlyContains(outer: string, inner: string): boolean {
    const a = parseCidr(outer);
    const b = parseCidr(inner);
    if (!a || !b || a.bits !== b.bits || b.prefix <= a.prefix) return false;
    const shift = BigInt(a.bits - a.prefix);
    return a.base >> shift === b.base >> shift;
}

/** Whether `inner` lies inside `outer` or is the same block. */
export function cidrCovers(outer: string, inner: string): boolean {
    const a = parseCidr(outer);
    const b = parseCidr(inner);
    if (!a || !b || a.bits !== b.bits || b.prefix < a.prefix) return false;
    const shift = BigInt(a.bits - a.prefix);
    return a.base >> shift === b.base >> shift;
}
