import type { Dialog, Message, UserHit } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'

export async function loadDialogs(): Promise<void> {
  const list = await http.get<Dialog[]>('/api/dialog')
  store.getState().setDialogs(list ?? [])
  void resolveLastSenders()
}

/** How many rows of the list learn who wrote their last message (the ones near the top). */
const SENDER_LOOKUPS = 20

/**
 * The core dialog object does not say who wrote the last message; the list prefixes "You: " to
 * your own. Rows whose conversation we do not hold ask for their newest message (take=1 with a
 * `before` cursor: no read side effect), a few at a time, once per last message.
 */
async function resolveLastSenders(): Promise<void> {
  const todo = store
    .getState()
    .dialogs.slice(0, SENDER_LOOKUPS)
    .filter((d) => d.lastMessageSenderID === undefined && !asked.has(`${d.receiverID}:${d.createdAt}`))
  todo.forEach((d) => asked.add(`${d.receiverID}:${d.createdAt}`))
  const worker = async () => {
    for (let d = todo.shift(); d; d = todo.shift()) {
      try {
        const [last] = (await http.get<Message[]>(`/api/message/${d.receiverID}?take=1&before=9223372036854775807`)) ?? []
        if (last) store.getState().setLastSender(d.receiverID, last.senderID, last.message)
      } catch {
        /* the row simply shows no prefix */
      }
    }
  }
  await Promise.all([worker(), worker(), worker()])
}
const asked = new Set<string>()

let reloadTimer: ReturnType<typeof setTimeout> | null = null
/** Coalesces bursts (deletes, unknown senders) into one dialog-list reload. */
export function scheduleDialogsReload(ms = 300): void {
  if (reloadTimer) return
  reloadTimer = setTimeout(() => {
    reloadTimer = null
    loadDialogs().catch(() => {})
  }, ms)
}

export async function searchPeople(name: string, signal?: AbortSignal): Promise<UserHit[]> {
  const q = name.trim()
  if (!q) return []
  const hits = (await http.post<UserHit[]>('/api/user/search', { name: q }, { signal })) ?? []
  const s = store.getState()
  hits.forEach((h) => s.rememberName(h.id, h.name))
  return hits
}
