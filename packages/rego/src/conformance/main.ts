// Conformance, entry point of `npm run conformance` (node packages/rego/dist/conformance/main.js).

import { conformanceMain } from "./conformance-cli.js";

process.exitCode = await conformanceMain(process.argv.slice(2), (s) => process.stdout.write(s));
