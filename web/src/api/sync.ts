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
