// Worker-thread entry for the parser fuzz: lets Node load the TypeScript worker (tsx), then runs it.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
