/** The action's entry point, as action.yml runs it: one run, then the process is let go. */
import { run } from './main.js'

await run()
// An abandoned request (an OIDC token request given up after its timeout: the runtime's HTTP
// client keeps its socket for three minutes) must not keep the step alive once the run has reported.
setTimeout(() => process.exit(), 2_000).unref()
