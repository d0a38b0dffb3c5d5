// Differential testing, entry point of `npm run differential` (node packages/rego/dist/differential/main.js).

import { differentialMain } from "./differential-cli.js";

process.exitCode = await differentialMain(process.argv.slice(2), (s) => process.stdout.write(s));
