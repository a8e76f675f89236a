/**
 * Records tests/snapshots/<variant>.json from the program as it is now. Run it only when a change
 * of the stacks' objects is intended, and review the diff as you would `pulumi preview --diff`:
 *   npm run snapshots:update [-- variant ...]
 */
import { snapshotOf, variants, writeSnapshot } from "./state-snapshot";

async function main(): Promise<void> {
    const wanted = process.argv.slice(2);
    for (const [name, run] of Object.entries(variants)) {
        if (wanted.length > 0 && !wanted.includes(name)) continue;
        const entries = snapshotOf((await run()).resources);
        writeSnapshot(name, entries);
        console.log(`${name}: ${entries.length} resources`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
