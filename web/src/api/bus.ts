// Cross-tab message bus (one browser, one origin). Falls back to a no-op where
// BroadcastChannel is unavailable.

export type BusMessage =
  | { type: 'tokens'; userID: number; accessToken: string }
  | { type: 'signed-out'; reason: string | null }
  | { type: 'read'; peerID: number; upTo?: number }

export interface Bus {
  post(msg: BusMessage): void
  subscribe(fn: (msg: BusMessage) => void): () => void
}

export function createBus(name = 'parley'): Bus {
  if (typeof BroadcastChannel === 'undefined') {
    return { post: () => {}, subscribe: () => () => {} }
  }
  const ch = new BroadcastChannel(name)
  const subs = new Set<(m: BusMessage) => void>()
  ch.onmessage = (e: MessageEvent<BusMessage>) => subs.forEach((fn) => fn(e.data))
  return {
    post: (msg) => ch.postMessage(msg),
    subscribe: (fn) => {
      subs.add(fn)
      return () => subs.delete(fn)
    },
  }
}

/** In-memory bus pair for tests: what one side posts, the other receives. */
export function createMemoryBusPair(): [Bus, Bus] {
  const make = (): Bus & { deliver: (m: BusMessage) => void } => {
    const subs = new Set<(m: BusMessage) => void>()
    return {
      post: () => {},
      subscribe: (fn) => {
        subs.add(fn)
        return () => subs.delete(fn)
      },
      deliver: (m) => subs.forEach((fn) => fn(m)),
    }
  }
  const a = make()
  const b = make()
  a.post = (m) => queueMicrotask(() => b.deliver(m))
  b.post = (m) => queueMicrotask(() => a.deliver(m))
  return [a, b]
}
