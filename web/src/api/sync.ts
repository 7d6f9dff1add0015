import type { Message } from './types'

/**
 * Missed-message sync: pages through `GET /api/sync?after=<cursor>&limit=N`
 * (ascending) until a short page comes back, handing each page to `apply`.
 * Returns the number of messages fetched.
 */
export async function syncMissed(
  fetchPage: (after: number, limit: number) => Promise<Message[]>,
  cursor: number,
  apply: (page: Message[]) => void,
  limit = 100,
  maxPages = 50,
): Promise<number> {
  let after = cursor
  let total = 0
  for (let i = 0; i < maxPages; i++) {
    const page = (await fetchPage(after, limit)) ?? []
    if (page.length) {
      apply(page)
      total += page.length
      after = Math.max(after, ...page.map((m) => m.messageID))
    }
    if (page.length < limit) break
  }
  return total
}

/**
 * Serialises missed-message syncs: `request(from)` starts one from `from` (a message id), or, while
 * one runs, remembers the lowest point asked for and runs once more after it. A reconnect and a
 * `sync:required` arriving together thus cost at most two syncs, and none is skipped. A failed sync
 * (server or network down) is retried from the same point after `retryMs` (doubling, capped at 30 s):
 * the socket may stay up through a database outage, so no reconnect would bring the sync back.
 */
export function createSyncQueue(
  run: (from: number) => Promise<void>,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  retryMs = 1000,
) {
  let running = false
  let pending: number | null = null
  async function loop(from: number): Promise<void> {
    running = true
    let next: number | null = from
    let delay = retryMs
    try {
      while (next !== null) {
        const at: number = next
        pending = null
        try {
          await run(at)
          delay = retryMs
          next = pending
        } catch {
          await wait(delay)
          delay = Math.min(delay * 2, 30000)
          next = pending === null ? at : Math.min(pending, at)
        }
      }
    } finally {
      running = false
    }
  }
  return {
    request(from: number): Promise<void> {
      if (running) {
        pending = pending === null ? from : Math.min(pending, from)
        return Promise.resolve()
      }
      return loop(from)
    },
  }
}

/** Where to sync from on `sync:required {after}`: never past what this client has already seen. */
export function resyncFrom(cursor: number, after: number): number {
  return Math.max(0, Math.min(cursor, after))
}

/**
 * How far back a reconnect looks: a node that lost events tells its connected sockets
 * (`sync:required`), but a socket that was already gone never hears it. Such a loss concerns
 * messages committed at most the server's resync margin (10 s) plus its detection time (two
 * heartbeats, 10 s) before the connection dropped, and the drop is noticed up to a ping interval
 * plus timeout (45 s) late. So after a reconnect the client syncs from the cursor it had that long
 * before it noticed the drop (and dedupes by id).
 */
export const RECONNECT_LOOKBACK_MS = 75_000

/**
 * Remembers when the sync cursor reached which value, to answer "the cursor as it was at t".
 * `setFloor` gives the answer for moments before anything recorded: the cursor the first sync
 * started from (that sync returned everything committed before it ran).
 */
export function createCursorHistory(keepMs = 10 * 60_000) {
  const entries: { at: number; cursor: number }[] = []
  let floor = 0
  return {
    setFloor(cursor: number): void {
      floor = cursor
    },
    record(at: number, cursor: number): void {
      const last = entries.at(-1)
      if (last && cursor <= last.cursor) return
      entries.push({ at, cursor })
      while (entries.length > 1 && entries[0].at < at - keepMs) entries.shift()
    },
    /** The cursor at `at`; the floor when it is older than anything remembered. */
    asOf(at: number): number {
      let best = floor
      for (const e of entries) {
        if (e.at > at) break
        best = e.cursor
      }
      return best
    },
  }
}
