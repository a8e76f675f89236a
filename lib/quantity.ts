/**
 * Kubernetes quantities and Prometheus durations as numbers, for the rules that compare them
 * (a request above its limit, a scrape timeout longer than its interval).
 */

const cpuUnits: Record<string, number> = { m: 1e-3, "": 1 };
const byteUnits: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** What a Kubernetes quantity looks like: "500m", "2", "512Mi", "4Gi". */
export const quantityPattern = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;

/** A Kubernetes quantity ("500m", "2", "512Mi") as a number of base units (cores or bytes). */
export function parseQuantity(value: string): number {
    const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(value);
    const factor = match ? (cpuUnits[match[2]] ?? byteUnits[match[2]]) : undefined;
    if (!match || factor === undefined) {
        throw new Error(`"${value}" is not a Kubernetes quantity`);
    }
    return Number(match[1]) * factor;
}

/** A Prometheus duration ("15s", "1m") in milliseconds. */
export function parseDuration(value: string): number {
    const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
    if (!match) throw new Error(`"${value}" is not a duration`);
    return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
}

/** How many pods an int-or-percent value ("NN%" or an integer) stands for out of `replicas`, rounding up as Kubernetes does. */
export function podsOf(value: number | string, replicas: number): number {
    return typeof value === "number" ? value : Math.ceil((Number(value.slice(0, -1)) * replicas) / 100);
}
