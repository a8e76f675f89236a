/**
 * Kubernetes quantities and durations: their grammar, and their values as numbers for the rules
 * that compare them (a request above its limit, a scrape timeout longer than its interval).
 */

const cpuUnits: Record<string, number> = { m: 1e-3, "": 1 };
const byteUnits: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * What a Kubernetes quantity looks like (resource.Quantity, without a sign): a decimal number and
 * an optional suffix, "500m", "2", "0.5", "512Mi", "4Gi", "1e3".
 */
export const quantityPattern = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei|[eE][+-]?[0-9]+)?$/;

/** A CPU quantity: cores or millicores ("2", "0.5", "500m"); "1Gi" of CPU is a mistake. */
export const cpuQuantityPattern = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)m?$/;

/**
 * A memory or storage quantity: bytes with a unit ("512Mi", "4Gi", "1G"). A bare number is bytes
 * and "256m" is 0.256 bytes, both mistakes in a stack file, so a binary or decimal unit is required.
 */
export const byteQuantityPattern = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)$/;

/** A Kubernetes quantity ("500m", "2", "512Mi", "1e3") as a number of base units (cores or bytes). */
export function parseQuantity(value: string): number {
    const match = /^([0-9]*\.?[0-9]*)([a-zA-Z]*)([+-]?[0-9]*)$/.exec(value);
    if (match && /^[eE]$/.test(match[2]) && match[3] !== "" && quantityPattern.test(value)) return Number(value);
    const factor = match && match[3] === "" ? (cpuUnits[match[2]] ?? byteUnits[match[2]]) : undefined;
    if (!match || factor === undefined || !quantityPattern.test(value)) {
        throw new Error(`"${value}" is not a Kubernetes quantity`);
    }
    return Number(match[1]) * factor;
}

/**
 * A duration as Prometheus (and the ServiceMonitor CRD) takes it: units from years to
 * milliseconds, largest first, each at most once: "15s", "1m30s", "1h", "500ms".
 */
export const promDurationPattern = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

const promUnits: Record<string, number> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Prometheus duration ("15s", "1m30s") in milliseconds. */
export function parseDuration(value: string): number {
    if (value === "" || !promDurationPattern.test(value)) throw new Error(`"${value}" is not a duration`);
    let total = 0;
    for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) total += Number(amount) * promUnits[unit];
    return total;
}

/** How many pods an int-or-percent value ("NN%" or an integer) stands for out of `replicas`, rounding up as Kubernetes does. */
export function podsOf(value: number | string, replicas: number): number {
    return typeof value === "number" ? value : Math.ceil((Number(value.slice(0, -1)) * replicas) / 100);
}
