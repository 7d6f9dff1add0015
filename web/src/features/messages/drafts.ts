import { store } from '../../app/store'

// Composer drafts: one per conversation, kept in the store (the dialog list shows them) and in
// localStorage per user, so they survive switching conversations and reloads; other tabs pick
// changes up from the `storage` event. Cleared from the device when the user signs out.

const PREFIX = 'parley.drafts.'
const keyOf = (userID: number) => `${PREFIX}${userID}`

export function readDrafts(raw: string | null): Record<number, string> {
  if (!raw) return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    const out: Record<number, string> = {}
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed)) if (/^\d+$/.test(k) && typeof v === 'string' && v) out[Number(k)] = v
    }
    return out
  } catch {
    return {}
  }
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

let timer: ReturnType<typeof setTimeout> | null = null
function persistSoon(userID: number) {
  if (timer) clearTimeout(timer)
  // typing writes once the burst pauses; pagehide flushes what is pending
  timer = setTimeout(() => persist(userID), 300)
}
function persist(userID: number) {
  timer = null
  const s = store.getState()
  if (s.userID !== userID) return
  const ls = storage()
  if (!ls) return
  try {
    if (Object.keys(s.drafts).length) ls.setItem(keyOf(userID), JSON.stringify(s.drafts))
    else ls.removeItem(keyOf(userID))
  } catch {
    /* storage full or blocked: drafts stay in memory for this tab */
  }
}

let started = false
export function initDrafts(): void {
  if (started) return
  started = true
  let fromStorage = false
  store.subscribe((s, prev) => {
    if (s.userID !== prev.userID) {
      if (prev.userID !== null && s.authStatus === 'signedOut') {
        if (timer) clearTimeout(timer)
        timer = null
        storage()?.removeItem(keyOf(prev.userID))
      }
      if (s.userID !== null) {
        fromStorage = true
        s.setDrafts(readDrafts(storage()?.getItem(keyOf(s.userID)) ?? null))
        fromStorage = false
      }
      return
    }
    if (s.drafts !== prev.drafts && s.userID !== null && !fromStorage) persistSoon(s.userID)
  })
  if (typeof window === 'undefined') return
  window.addEventListener('storage', (e) => {
    const me = store.getState().userID
    if (me === null || e.key !== keyOf(me)) return
    fromStorage = true
    store.getState().setDrafts(readDrafts(e.newValue))
    fromStorage = false
  })
  window.addEventListener('pagehide', () => {
    const me = store.getState().userID
    if (timer && me !== null) {
      clearTimeout(timer)
      persist(me)
    }
  })
}
