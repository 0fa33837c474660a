#!/usr/bin/env node
// The `edge-emulators` command. Node (22.18+) runs the TypeScript sources itself; it refuses to strip types of
// files whose real path lies under node_modules, so install this package as a workspace or a file: link.
import { runEmulators } from "./cli.ts";

process.exit(await runEmulators(process.argv.slice(2)));
