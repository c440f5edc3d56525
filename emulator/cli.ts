/**
 * Runs the emulator standalone with a few sample applications until Ctrl-C:
 *
 *   npx tsx emulator/cli.ts [--port 4566] [--update-duration-ms 5000]
 *
 * and prints the environment that points the action (or the AWS CLI / SDKs) at it.
 */
import { parseArgs } from 'node:util'
import { EMULATOR_ROLE_ARN, startEmulator } from './index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'update-duration-ms': { type: 'string' }
  }
})

const emulator = await startEmulator({
  port: values.port ? Number(values.port) : undefined,
  updateDurationMs: values['update-duration-ms'] ? Number(values['update-duration-ms']) : 5000,
  applications: [
    { name: 'orders-enrichment', parallelism: 4, parallelismPerKpu: 1, tags: { team: 'data' } },
    { name: 'clickstream-sessionizer', parallelism: 16, parallelismPerKpu: 2, autoScalingEnabled: true },
    { name: 'fraud-scoring', status: 'READY', parallelism: 2 },
    { name: 'eu-payments', region: 'eu-west-1', parallelism: 8, allowNonRestoredState: true }
  ]
})

const shellQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`
console.log(`Emulator listening on ${emulator.url}\n`)
console.log('Environment for the action:')
for (const [key, value] of Object.entries(emulator.env())) console.log(`export ${key}=${shellQuote(value)}`)
console.log(`\nRole to assume with OIDC: ${EMULATOR_ROLE_ARN}`)
console.log('Applications: orders-enrichment, clickstream-sessionizer, fraud-scoring (us-east-1); eu-payments (eu-west-1)')
console.log('Press Ctrl-C to stop.')

let last = 0
const ticker = setInterval(() => {
  for (const r of emulator.requests.slice(last)) {
    console.log(`${new Date(r.at).toISOString()} ${r.service} ${r.operation} → ${r.status || '-'}${r.errorType ? ` ${r.errorType}` : ''}`)
  }
  last = emulator.requests.length
}, 250)

const shutdown = async () => {
  clearInterval(ticker)
  await emulator.stop()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown())
process.once('SIGTERM', () => void shutdown())
