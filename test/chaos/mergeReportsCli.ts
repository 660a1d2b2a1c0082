/**
 * One table from a campaign run in parts:
 *   npm run chaos:merge -- out/chaos/part-1.json out/chaos/part-2.json … [--out merged.json]
 * Exit 1 when any part has a failed run.
 */
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { mergeReports } from './mergeReports'
import { formatReport, writeReport, type CampaignReport } from './report'

function main(): number {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true })
  if (positionals.length === 0) throw new Error('name the report files to merge (JSON written by npm run chaos -- --report FILE)')
  const parts = positionals.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as CampaignReport)
  const merged = mergeReports(parts)
  process.stdout.write(`${formatReport(merged)}\n`)
  if (values.out) {
    writeReport(values.out, merged)
    process.stdout.write(`merged report written to ${values.out}\n`)
  }
  return merged.failedRuns === 0 ? 0 : 1
}

try {
  process.exit(main())
} catch (error) {
  process.stderr.write(`chaos:merge: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
}
