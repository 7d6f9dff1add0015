import { io } from 'socket.io-client'
import { SESSION_ENDED } from '../api/http'
import { SocketService, type IoFactory } from '../api/socket'
import { createCursorHistory, createSyncQueue, RECONNECT_LOOKBACK_MS, resyncFrom, syncMissed } from '../api/sync'
import type { Dialog, Me, Message, MessageDeleted, PublicConfig } from '../api/types'
import { loadDialogs, scheduleDialogsReload } from '../features/dialogs/dialogService'
import { openConversation, retryMessage } from '../features/messages/messageService'
import { notifyIncoming } from '../features/notifications/notify'
import { t } from './i18n'
import { navigate } from './router'
import { bus, device, http, realtime } from './services'
import { store } from './store'

// Session lifecycle: boot, sign-in/out across tabs, the realtime event pump.

let config: Promise<PublicConfig> | null = null

/** The server's public client settings (`GET /api/config`), fetched once; {} when unreachable. */
export function getConfig(): Promise<PublicConfig> {
  config ??= http.get<PublicConfig>('/api/config', { auth: false }).then(
    (c) => c ?? {},
    () => {
      config = null // try again next time
      return {}
    },
  )
  return config
}

async function getSocketUrl(): Promise<string> {
  const cfg = await getConfig()
  return typeof cfg.socketUrl === 'string' && cfg.socketUrl ? cfg.socketUrl : location.origin
}

export async function startSession(userID: number): Promise<void> {
  const s = store.getState()
  const fresh = s.userID !== userID || s.authStatus !== 'signedIn'
  s.signedIn(userID)
  if (!fresh && realtime.socket) return
  stopRealtime()
  http
    .get<Me>('/api/user/me')
    .then((me) => me && store.getState().setMe(me))
    .catch(() => {})
  loadDialogs().catch(() => {})
  const url = await getSocketUrl()
  if (store.getState().userID !== userID) return
  const sock = new SocketService({
    io: ((u, o) => io(u, { ...o, transports: ['websocket', 'polling'] })) as IoFactory,
    url,
    device,
    getToken: () => http.token,
    refresh: (failed) => http.refresh(failed),
    onState: (c) => {
      if (c !== 'online' && store.getState().conn === 'online') disconnectedAt = Date.now()
      store.getState().setConn(c)
    },
    onEvent: handleEvent,
    onReady: afterConnect,
    onResync: (after) => void resyncQueue.request(resyncFrom(currentCursor(), after)),
  })
  realtime.socket = sock
  sock.start()
}

function stopRealtime() {
  realtime.socket?.stop()
  realtime.socket = null
}

/** The highest message id this client has seen: where a sync starts. */
function currentCursor(): number {
  const s = store.getState()
  // Before the first connect nothing was live: history loaded meanwhile (e.g. a deep link
  // to /c/:id) is the cursor then.
  const loadedMax = Math.max(0, ...Object.values(s.conversations).flatMap((c) => c.messages.map((m) => m.messageID)))
  return s.maxMessageID || loadedMax
}

/** When the cursor moved, and when the socket last went from online to not (0: never). */
const cursorHistory = createCursorHistory()
let disconnectedAt = 0

/** One sync at a time; a reconnect and a server's sync:required arriving together are merged. */
const resyncQueue = createSyncQueue(syncFrom)

async function syncFrom(from: number): Promise<void> {
  if (store.getState().authStatus !== 'signedIn') return // signed out meanwhile: nothing to retry
  // With no history at all, the dialog reload below suffices.
  if (currentCursor() > 0) {
    await syncMissed(
      (after, limit) => http.get<Message[]>(`/api/sync?after=${after}&limit=${limit}`),
      from,
      (page) => onMessages(page, false),
    )
  }
  await loadDialogs()
  retryFailedSends()
  const st = store.getState()
  const peer = st.activePeer
  // a conversation opened while offline had nothing to show: load it now
  if (peer && !st.conversations[peer]?.loaded) await openConversation(peer)
}

/**
 * Messages that failed while the connection was down go out again, oldest first per
 * conversation, with their original clientMessageID (the server drops duplicates).
 */
function retryFailedSends(): void {
  const { conversations } = store.getState()
  for (const [peer, conv] of Object.entries(conversations)) {
    for (const m of conv.messages) {
      if (m.messageID <= 0 && m.status === 'failed' && m.clientMessageID) retryMessage(Number(peer), m.clientMessageID)
    }
  }
}

/** After every (re)connect: fetch whatever was sent while we were away. */
async function afterConnect(): Promise<void> {
  const cursor = currentCursor()
  if (!disconnectedAt) cursorHistory.setFloor(cursor)
  // after a drop, from the cursor as it was a while before it: see RECONNECT_LOOKBACK_MS
  await resyncQueue.request(disconnectedAt ? Math.min(cursor, cursorHistory.asOf(disconnectedAt - RECONNECT_LOOKBACK_MS)) : cursor)
}

function onMessages(msgs: Message[], live: boolean) {
  const s = store.getState()
  const fresh = s.receiveMessages(msgs)
  cursorHistory.record(Date.now(), store.getState().maxMessageID)
  const st = store.getState()
  const peers = new Set(fresh.map((m) => m.senderID))
  for (const peer of peers) {
    const last = fresh.filter((m) => m.senderID === peer).at(-1)!
    // the open conversation reports what scrolls into view as read (features/messages/readTracker)
    if (st.activePeer === peer && st.visible) continue
    if (live) notifyIncoming(st.names[peer] ?? `#${peer}`, last.message, peer)
  }
  if (msgs.some((m) => !st.dialogs.some((d) => d.receiverID === (m.senderID === st.userID ? m.receiverID : m.senderID)))) {
    scheduleDialogsReload()
  }
}

function handleEvent(event: string, payload: unknown): void {
  const s = store.getState()
  switch (event) {
    case 'user:new_message':
      onMessages([payload as Message], true)
      break
    case 'user:new_dialog':
      s.upsertDialog(payload as Dialog)
      break
    case 'user:all_messages_read':
      s.markReadByPeer(Number(payload))
      break
    case 'user:message_read': {
      const p = payload as { receiverID: number; messageID: number }
      s.markReadByPeer(p.receiverID, p.messageID)
      break
    }
    case 'user:connection_status': {
      const p = payload as { receiverID: number; connectionStatus: 'online' | 'offline' }
      s.setPresence(p.receiverID, p.connectionStatus)
      break
    }
    case 'user:typing': {
      const p = payload as { userID: number }
      if (p.userID !== s.userID) {
        const until = Date.now() + 4000
        s.setTyping(p.userID, until)
        setTimeout(() => {
          if (store.getState().typing[p.userID] === until) store.getState().setTyping(p.userID, 0)
        }, 4100)
      }
      break
    }
    case 'user:message_updated': {
      const m = payload as Message
      const peer = m.senderID === s.userID ? m.receiverID : m.senderID
      if (s.conversations[peer]?.messages.some((x) => x.messageID === m.messageID)) s.receiveMessages([m])
      scheduleDialogsReload()
      break
    }
    case 'user:message_deleted':
      s.removeMessage(payload as MessageDeleted)
      scheduleDialogsReload()
      break
    case 'user:profile_updated': {
      const p = payload as { userID: number; name: string }
      s.renamePeer(p.userID, p.name)
      break
    }
  }
}

function reasonText(reason: string | null): string | null {
  if (reason === SESSION_ENDED) return t('auth.sessionEnded')
  return reason
}

export function initSession(): void {
  http.onSignedOut = (reason) => {
    stopRealtime()
    store.getState().signedOut(reasonText(reason))
    const p = location.pathname
    if (!p.startsWith('/email/') && !['/signup', '/forgot', '/check-email'].includes(p)) navigate('/signin', { replace: true })
  }
  http.onTokens = (userID, fromOtherTab) => {
    const s = store.getState()
    if (fromOtherTab && (s.authStatus !== 'signedIn' || s.userID !== userID)) {
      void startSession(userID)
      if (location.pathname === '/signin' || location.pathname === '/signup') navigate('/', { replace: true })
    }
  }
  bus.subscribe((m) => {
    if (m.type !== 'read') return
    // another tab saw these: read here too; our counts may include messages it had and we lack
    if (m.upTo) store.getState().markSeen(m.peerID, m.upTo)
    else store.getState().clearUnread(m.peerID)
    scheduleDialogsReload(500)
  })
  document.addEventListener('visibilitychange', () => {
    const visible = document.visibilityState !== 'hidden'
    store.getState().setVisible(visible)
  })
  window.addEventListener('offline', () => {
    store.getState().setNetwork(false)
    realtime.socket?.drop()
  })
  window.addEventListener('online', () => {
    store.getState().setNetwork(true)
    realtime.socket?.reconnectNow()
  })
  // A handle on the store for diagnostics in development builds only: the production bundle
  // must not expose it (the e2e suite drives the UI instead).
  if (import.meta.env.DEV) (window as unknown as { __parley?: object }).__parley = { store }
}

export async function boot(): Promise<void> {
  initSession()
  if (!http.hasSavedSession()) {
    store.getState().signedOut(null)
    return
  }
  try {
    const ok = await http.refresh(null)
    if (ok && http.currentUserID) await startSession(http.currentUserID)
  } catch {
    // server unreachable: keep the saved session and try again shortly
    store.getState().signedOut(t('error.network'))
    setTimeout(() => void boot2(), 3000)
  }
}

async function boot2() {
  try {
    if (await http.refresh(null)) {
      if (http.currentUserID) {
        await startSession(http.currentUserID)
        if (location.pathname === '/signin') navigate('/', { replace: true })
      }
    }
  } catch {
    setTimeout(() => void boot2(), 5000)
  }
}

export async function logout(): Promise<void> {
  try {
    await http.post('/api/auth/logout')
  } catch {
    /* signing out locally anyway */
  }
  http.signOut(null)
}
