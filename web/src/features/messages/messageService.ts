import { ApiError } from '../../api/http'
import type { Ack, Message } from '../../api/types'
import { bus, http, realtime } from '../../app/services'
import { store } from '../../app/store'
import { errorText } from '../../app/i18n'
import { scheduleDialogsReload } from '../dialogs/dialogService'

export const PAGE = 30

const errText = (e: unknown) => errorText(e)

/** `before` above any id: the newest page without the implicit "mark all read" of skip=0. */
const NEWEST = '9223372036854775807'
/** At most this many messages are loaded to reach back to the first unread one. */
const UNREAD_REACH = 500

const history = (peerID: number, take: number, before: number | string) => http.get<Message[]>(`/api/message/${peerID}?take=${take}&before=${before}`)

/** Newest page. Reading is reported separately, for what was actually on screen (markSeenUpTo). */
export async function loadFirstPage(peerID: number, take = PAGE): Promise<void> {
  const page = (await history(peerID, take, NEWEST)) ?? []
  store.getState().setHistory(peerID, page, page.length === take)
}

const unreadLoaded = (peerID: number) => (store.getState().conversations[peerID]?.messages ?? []).filter((m) => m.senderID === peerID && m.messageID > 0 && !m.isReaded)

/**
 * Opens at the first unread message: loads pages until the unread ones the server counts are all
 * here (or the reach runs out), then records where the "Unread messages" divider goes.
 */
export async function openConversation(peerID: number): Promise<void> {
  const s = store.getState()
  s.setActivePeer(peerID)
  const conv = s.conversations[peerID]
  const unread = s.dialogs.find((d) => d.receiverID === peerID)?.newMessagesCount ?? 0
  if (conv?.loaded && unreadLoaded(peerID).length >= unread) {
    s.setOpening(peerID, false, unreadLoaded(peerID)[0]?.messageID ?? null)
    return
  }
  s.setOpening(peerID, true, null)
  try {
    await loadFirstPage(peerID, unread > 0 ? Math.min(MAX_TAKE, Math.max(PAGE, unread + 10)) : PAGE)
    while (unreadLoaded(peerID).length < unread) {
      const c = store.getState().conversations[peerID]
      const oldest = c?.messages.find((m) => m.messageID > 0)
      if (!c?.hasMore || !oldest || c.messages.length >= UNREAD_REACH) break
      const page = (await history(peerID, MAX_TAKE, oldest.messageID)) ?? []
      store.getState().prependOlder(peerID, page, page.length === MAX_TAKE)
    }
  } catch (e) {
    store.getState().toast('error', errText(e))
  } finally {
    store.getState().setOpening(peerID, false, unreadLoaded(peerID)[0]?.messageID ?? null)
  }
}

const MAX_TAKE = 100

export async function loadOlder(peerID: number): Promise<void> {
  const s = store.getState()
  const conv = s.conversations[peerID]
  if (!conv || !conv.loaded || !conv.hasMore || conv.loadingOlder || conv.opening) return
  const oldest = conv.messages.find((m) => m.messageID > 0)
  if (!oldest) return
  s.setLoadingOlder(peerID, true)
  try {
    const page = (await history(peerID, PAGE, oldest.messageID)) ?? []
    store.getState().prependOlder(peerID, page, page.length === PAGE)
  } catch (e) {
    store.getState().setLoadingOlder(peerID, false)
    store.getState().toast('error', errText(e))
  }
}

function ensureDialog(peerID: number, m: Message): void {
  const s = store.getState()
  if (s.dialogs.some((d) => d.receiverID === peerID)) return
  s.upsertDialog({
    receiverID: peerID,
    receiverName: s.names[peerID] ?? `#${peerID}`,
    lastMessage: m.message,
    createdAt: m.createdAt,
    newMessagesCount: 0,
    connectionStatus: 'offline',
  })
  scheduleDialogsReload(800)
}

async function deliver(peerID: number, text: string, clientMessageID: string): Promise<void> {
  const payload = { receiverID: peerID, message: text, clientMessageID }
  let msg: Message | undefined
  const sock = realtime.socket
  if (sock?.isOnline) {
    try {
      const ack = await sock.request<Ack<Message>>('message:send', payload)
      if (ack?.statusCode === 200 && ack.data) msg = ack.data
      else if (ack && ack.statusCode >= 400 && ack.statusCode !== 401 && ack.statusCode < 500) {
        store.getState().setFailed(peerID, clientMessageID)
        store.getState().toast('error', errorText(new ApiError(ack.statusCode, ack.message ?? '')))
        return
      }
    } catch {
      // timeout / dropped: fall back to REST with the same clientMessageID (idempotent)
    }
  }
  if (!msg) {
    try {
      msg = await http.post<Message>(`/api/message/${peerID}`, { message: text, clientMessageID })
    } catch (e) {
      store.getState().setFailed(peerID, clientMessageID)
      store.getState().toast('error', errText(e))
      return
    }
  }
  if (!msg) return
  // an ack (socket or REST, maybe on another node while our socket was down) does not move the
  // sync cursor: the peer's messages with lower ids may not have reached us yet
  store.getState().receiveMessages([{ ...msg, clientMessageID }], { advanceCursor: false })
  ensureDialog(peerID, msg)
}

// Sends to one peer go out one at a time: the server numbers messages in commit order, and
// parallel sends (REST fallbacks, or socket events handled concurrently) could overtake each other.
const queues = new Map<number, Promise<void>>()
function enqueue(peerID: number, job: () => Promise<void>): void {
  const next = (queues.get(peerID) ?? Promise.resolve()).then(job, job)
  queues.set(peerID, next)
  void next.finally(() => {
    if (queues.get(peerID) === next) queues.delete(peerID)
  })
}

export function sendMessage(peerID: number, text: string): void {
  const body = text.trim()
  if (!body) return
  const cmid = crypto.randomUUID()
  lastTyping = 0 // the next keystroke announces typing again
  store.getState().addPending(peerID, body, cmid)
  enqueue(peerID, () => deliver(peerID, body, cmid))
}

export function retryMessage(peerID: number, clientMessageID: string): void {
  const m = store.getState().conversations[peerID]?.messages.find((x) => x.clientMessageID === clientMessageID && x.messageID <= 0)
  if (!m) return
  store.getState().setRetrying(peerID, clientMessageID)
  enqueue(peerID, () => deliver(peerID, m.message, clientMessageID))
}

export async function editMessage(m: Message, text: string): Promise<boolean> {
  const body = text.trim()
  if (!body || body === m.message) return false
  try {
    await http.put(`/api/message?message-id=${m.messageID}`, { message: body })
    store.getState().receiveMessages([{ ...m, message: body, isUpdated: true, updatedAt: new Date().toISOString() }])
    return true
  } catch (e) {
    store.getState().toast('error', errText(e))
    return false
  }
}

export async function deleteMessage(m: Message): Promise<void> {
  try {
    await http.del(`/api/message?message-id=${m.messageID}`)
    store.getState().removeMessage(m)
    scheduleDialogsReload()
  } catch (e) {
    store.getState().toast('error', errText(e))
  }
}

const reported = new Map<number, number>()
/**
 * The user saw the incoming messages from peerID up to messageID: they become read here, in the
 * other tabs and on the server (which marks everything up to it and tells the sender).
 */
export async function markSeenUpTo(peerID: number, messageID: number): Promise<void> {
  store.getState().markSeen(peerID, messageID)
  if ((reported.get(peerID) ?? 0) >= messageID) return
  reported.set(peerID, messageID)
  bus.post({ type: 'read', peerID, upTo: messageID })
  try {
    await http.get(`/api/message/read?message-id=${messageID}`)
  } catch {
    reported.delete(peerID) // seen again later, reported again
  }
}

let lastTyping = 0
export function notifyTyping(peerID: number): void {
  const now = Date.now()
  if (now - lastTyping < 2000) return
  lastTyping = now
  realtime.socket?.emit('user:typing', { receiverID: peerID })
}
