// Small helpers shared by the e2e scripts (run.mjs, cluster.mjs). Importing run.mjs itself would
// run its whole suite, so anything both need lives here.
import { createServer } from 'node:net'

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A TCP port free on 127.0.0.1 at the moment of asking. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.unref()
    s.on('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

/** Polls fn until it returns something truthy; fails with the last error after timeoutMs. */
export async function until(what, fn, timeoutMs = 15000, everyMs = 200) {
  const end = Date.now() + timeoutMs
  let last
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    await sleep(everyMs)
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`)
}
