import { useStore as useZustand } from 'zustand'
import { createStore } from 'zustand/vanilla'
import type { ConnState } from '../api/socket'
import type { Dialog, Me, Message, MessageDeleted, Session } from '../api/types'

/**
 * The single source of truth of the SPA. Components read with selectors;
 * services (features/*, app/realtime) write through the actions below.
 * Actions are plain state transitions (no I/O) so they are unit-testable.
 */

export type Theme = 'light' | 'dark'
export type Lang = 'en' | 'ru'
export type SendStatus = 'pending' | 'failed' | 'sent'

export interface ChatMessage extends Message {
  /** local key: stays the same when the optimistic bubble becomes the real message */
  key: string
  status: SendStatus
}

export interface Conversation {
  messages: ChatMessage[]
  /** first page loaded from the server */
  loaded: boolean
  hasMore: boolean
  loadingOlder: boolean
  /** still loading the pages that reach back to the first unread message (do not position yet) */
  opening?: boolean
  /** the first unread incoming message when the conversation was opened: where the "Unread messages" divider goes */
  unreadFrom?: number | null
  /** counts completed opens: a view positions itself after the open it started with has finished */
  opened?: number
}

/** A dialog as the SPA keeps it: the wire dialog plus who wrote its last message, when known. */
export type DialogItem = Dialog & { lastMessageSenderID?: number }

export interface Toast {
  id: number
  kind: 'error' | 'info' | 'success'
  text: string
  /** a new-message toast: clicking it opens this conversation; opening it removes the toast */
  peerID?: number
}

export type AuthStatus = 'booting' | 'signedOut' | 'signedIn'

export interface State {
  authStatus: AuthStatus
  userID: number | null
  me: Me | null
  /** message shown on the sign-in page (e.g. "session ended") */
  notice: string | null
  conn: ConnState
  /** the browser's own view of the network (navigator.onLine, online/offline events) */
  network: boolean
  dialogs: DialogItem[]
  dialogsLoaded: boolean
  /** peerID → unsent composer text (persisted per user by features/messages/drafts) */
  drafts: Record<number, string>
  /** names of people we know (dialogs, search results) */
  names: Record<number, string>
  conversations: Record<number, Conversation>
  /** highest messageID seen: the cursor of the missed-message sync */
  maxMessageID: number
  activePeer: number | null
  visible: boolean
  /** peerID → typing indicator expiry (ms epoch) */
  typing: Record<number, number>
  toasts: Toast[]
  sessions: Session[] | null
  theme: Theme
  lang: Lang
}

export interface Actions {
  signedIn(userID: number): void
  setMe(me: Me): void
  signedOut(notice: string | null): void
  setConn(c: ConnState): void
  setNetwork(online: boolean): void
  setDialogs(d: Dialog[]): void
  upsertDialog(d: Dialog): void
  setPresence(peerID: number, status: 'online' | 'offline'): void
  rememberName(id: number, name: string): void
  setActivePeer(peerID: number | null): void
  setVisible(v: boolean): void
  /**
   * Merges server messages; returns the ones that were new incoming (from the peer).
   * `advanceCursor: false` for a copy that came neither through the event stream nor a sync (the
   * answer to one's own send): its id says nothing about the messages before it, which the stream
   * may still owe us, so it must not move the sync cursor.
   */
  receiveMessages(msgs: Message[], opts?: { advanceCursor?: boolean }): Message[]
  setHistory(peerID: number, newestFirst: Message[], hasMore: boolean): void
  prependOlder(peerID: number, newestFirst: Message[], hasMore: boolean): void
  setLoadingOlder(peerID: number, v: boolean): void
  addPending(peerID: number, text: string, clientMessageID: string): void
  setFailed(peerID: number, clientMessageID: string): void
  setRetrying(peerID: number, clientMessageID: string): void
  removeMessage(d: MessageDeleted): void
  /** my messages to peerID become read (all, or up to messageID) */
  markReadByPeer(peerID: number, upTo?: number): void
  clearUnread(peerID: number): void
  /** incoming messages from peerID up to messageID were seen here or in another tab: read, and the badge drops by as many */
  markSeen(peerID: number, upTo: number): void
  setOpening(peerID: number, opening: boolean, unreadFrom?: number | null): void
  setLastSender(peerID: number, senderID: number, text: string): void
  setDraft(peerID: number, text: string): void
  setDrafts(drafts: Record<number, string>): void
  setTyping(peerID: number, until: number): void
  toast(kind: Toast['kind'], text: string, peerID?: number): void
  dismissToast(id: number): void
  setSessions(s: Session[] | null): void
  setTheme(t: Theme): void
  setLang(l: Lang): void
  renamePeer(id: number, name: string): void
}

export type Store = State & Actions

const emptyConversation = (): Conversation => ({ messages: [], loaded: false, hasMore: true, loadingOlder: false })

let toastSeq = 1
let pendingSeq = 1

function peerOf(m: Message, me: number | null): number {
  return m.senderID === me ? m.receiverID : m.senderID
}

function toChat(m: Message, key?: string): ChatMessage {
  return { ...m, key: key ?? `m${m.messageID}`, status: 'sent' }
}

/** Sorted by messageID; optimistic bubbles (messageID 0) keep their order at the end. */
function sortMessages(list: ChatMessage[]): ChatMessage[] {
  const real = list.filter((m) => m.messageID > 0).sort((a, b) => a.messageID - b.messageID)
  const pending = list.filter((m) => m.messageID <= 0)
  return [...real, ...pending]
}

/** Inserts or replaces by messageID, or replaces the optimistic bubble with the same clientMessageID. */
function merge(list: ChatMessage[], m: Message, me?: number | null): { list: ChatMessage[]; isNew: boolean } {
  const byId = list.findIndex((x) => x.messageID === m.messageID)
  if (byId >= 0) {
    const old = list[byId]
    // copies arrive out of order (socket echo, ack, REST, sync): never go back to an older
    // text, and read state only ever moves forward
    const newer = !(Date.parse(m.updatedAt) < Date.parse(old.updatedAt))
    let next = list.slice()
    next[byId] = { ...old, ...(newer ? m : {}), isReaded: old.isReaded || m.isReaded, key: old.key, status: 'sent' }
    // the echo may have beaten the ack: drop the optimistic twin once we learn its clientMessageID
    if (m.clientMessageID) next = next.filter((x) => !(x.messageID <= 0 && x.clientMessageID === m.clientMessageID))
    return { list: next, isNew: false }
  }
  let twin = m.clientMessageID ? list.findIndex((x) => x.messageID <= 0 && x.clientMessageID === m.clientMessageID) : -1
  // The server's echo carries no clientMessageID and may beat the ack: pair it with the
  // oldest bubble still in flight with the same text (sends go out one at a time, in order).
  if (twin < 0 && !m.clientMessageID && me !== undefined && m.senderID === me) {
    twin = list.findIndex((x) => x.messageID <= 0 && x.status === 'pending' && x.message === m.message)
  }
  if (twin >= 0) {
    const next = list.slice()
    next[twin] = { ...m, clientMessageID: m.clientMessageID ?? list[twin].clientMessageID, key: list[twin].key, status: 'sent' }
    return { list: sortMessages(next), isNew: false }
  }
  return { list: sortMessages([...list, toChat(m)]), isNew: true }
}

function sortDialogs(d: Dialog[]): Dialog[] {
  return d.slice().sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
}

function readPref<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = globalThis.localStorage?.getItem(key)
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback
  } catch {
    return fallback
  }
}

function initialTheme(): Theme {
  const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
  return readPref<Theme>('parley.theme', ['light', 'dark'], prefersDark ? 'dark' : 'light')
}

function initialLang(): Lang {
  const nav = typeof navigator !== 'undefined' && navigator.language?.startsWith('ru') ? 'ru' : 'en'
  return readPref<Lang>('parley.lang', ['en', 'ru'], nav)
}

const sessionState = (): Omit<State, 'theme' | 'lang' | 'authStatus' | 'notice' | 'visible' | 'network'> => ({
  userID: null,
  me: null,
  conn: 'idle',
  dialogs: [],
  dialogsLoaded: false,
  names: {},
  conversations: {},
  maxMessageID: 0,
  activePeer: null,
  typing: {},
  toasts: [],
  sessions: null,
  drafts: {},
})

export function createAppStore() {
  return createStore<Store>()((set, get) => ({
    ...sessionState(),
    authStatus: 'booting',
    notice: null,
    visible: typeof document === 'undefined' ? true : document.visibilityState !== 'hidden',
    network: typeof navigator === 'undefined' || navigator.onLine !== false,
    theme: initialTheme(),
    lang: initialLang(),

    signedIn: (userID) =>
      set((s) => (s.userID === userID && s.authStatus === 'signedIn' ? s : { ...sessionState(), toasts: s.toasts, userID, authStatus: 'signedIn', notice: null })),
    setMe: (me) => set((s) => ({ me, names: { ...s.names, [me.id]: me.name } })),
    // a late duplicate sign-out (e.g. from a socket re-auth) must not wipe the reason already shown
    signedOut: (notice) => set((s) => ({ ...sessionState(), toasts: s.toasts, authStatus: 'signedOut', notice: notice ?? (s.authStatus === 'signedOut' ? s.notice : null) })),
    setConn: (conn) => set({ conn }),
    setNetwork: (network) => set({ network }),

    setDialogs: (d) =>
      set((s) => {
        const names = { ...s.names }
        d.forEach((x) => (names[x.receiverID] = x.receiverName))
        const dialogs = d.map((x) => ({ ...x, lastMessageSenderID: (x as DialogItem).lastMessageSenderID ?? knownLastSender(s, x) }))
        return { dialogs: sortDialogs(dialogs), dialogsLoaded: true, names }
      }),
    upsertDialog: (d) =>
      set((s) => {
        const rest = s.dialogs.filter((x) => x.receiverID !== d.receiverID)
        const old = s.dialogs.find((x) => x.receiverID === d.receiverID)
        // user:new_dialog says 0 and every user:new_message counts one, in either order: messages
        // that came before their dialog were not counted yet (no row to count on), so count them
        // now; a repeated new_dialog keeps what was counted.
        const early = (s.conversations[d.receiverID]?.messages ?? []).filter((m) => m.senderID === d.receiverID && m.messageID > 0 && !m.isReaded).length
        const unread = Math.max(d.newMessagesCount, old?.newMessagesCount ?? early)
        const next: DialogItem = { ...old, ...d, newMessagesCount: unread }
        next.lastMessageSenderID = (d as DialogItem).lastMessageSenderID ?? knownLastSender(s, next)
        return {
          dialogs: sortDialogs([...rest, next]),
          names: { ...s.names, [d.receiverID]: d.receiverName },
        }
      }),
    setPresence: (peerID, status) =>
      set((s) => ({ dialogs: s.dialogs.map((d) => (d.receiverID === peerID ? { ...d, connectionStatus: status } : d)) })),
    rememberName: (id, name) => set((s) => (s.names[id] === name ? s : { names: { ...s.names, [id]: name } })),
    renamePeer: (id, name) =>
      set((s) => ({
        names: { ...s.names, [id]: name },
        dialogs: s.dialogs.map((d) => (d.receiverID === id ? { ...d, receiverName: name } : d)),
        me: s.me && s.me.id === id ? { ...s.me, name } : s.me,
      })),
    setActivePeer: (peerID) => set({ activePeer: peerID }),
    setVisible: (visible) => set({ visible }),

    receiveMessages: (msgs, opts) => {
      const fresh: Message[] = []
      set((s) => {
        const me = s.userID
        const conversations = { ...s.conversations }
        let dialogs = s.dialogs
        let maxMessageID = s.maxMessageID
        const typing = { ...s.typing }
        for (const m of msgs) {
          const peer = peerOf(m, me)
          const conv = conversations[peer] ?? emptyConversation()
          const { list, isNew } = merge(conv.messages, m, me)
          conversations[peer] = { ...conv, messages: list }
          // the sync cursor advances only for what came through the event stream or a sync while the
          // socket is online: a send acknowledged over REST, or while reconnecting, must not skip what
          // others sent meanwhile (the reconnect syncs from the cursor)
          if (s.conn === 'online' && opts?.advanceCursor !== false) maxMessageID = Math.max(maxMessageID, m.messageID)
          const incoming = m.senderID !== me
          if (incoming) delete typing[peer]
          const isLatest = list.length > 0 && list.filter((x) => x.messageID > 0).at(-1)?.messageID === m.messageID
          const idx = dialogs.findIndex((d) => d.receiverID === peer)
          if (idx >= 0 && (isNew || isLatest)) {
            const d = dialogs[idx]
            // counted until the conversation view reports it seen (markSeen), open or not
            const countUnread = isNew && incoming && !m.isReaded
            const newer = Date.parse(m.createdAt) >= Date.parse(d.createdAt)
            dialogs = dialogs.slice()
            dialogs[idx] = {
              ...d,
              lastMessage: newer || isLatest ? m.message : d.lastMessage,
              lastMessageSenderID: newer || isLatest ? m.senderID : d.lastMessageSenderID,
              createdAt: newer ? m.createdAt : d.createdAt,
              newMessagesCount: d.newMessagesCount + (countUnread ? 1 : 0),
            }
          }
          if (isNew && incoming && !m.isReaded) fresh.push(m)
        }
        return { conversations, dialogs: sortDialogs(dialogs), maxMessageID, typing }
      })
      return fresh
    },

    setHistory: (peerID, newestFirst, hasMore) =>
      set((s) => {
        const conv = s.conversations[peerID] ?? emptyConversation()
        let list: ChatMessage[] = conv.loaded ? conv.messages : conv.messages.filter((m) => m.messageID <= 0 || m.messageID > (newestFirst[0]?.messageID ?? 0))
        for (const m of newestFirst) list = merge(list, m).list
        // history advances the sync cursor only while the live stream is continuous
        const maxMessageID = s.conn === 'online' ? Math.max(s.maxMessageID, newestFirst[0]?.messageID ?? 0) : s.maxMessageID
        return { conversations: { ...s.conversations, [peerID]: { ...conv, messages: list, loaded: true, hasMore } }, maxMessageID }
      }),
    prependOlder: (peerID, newestFirst, hasMore) =>
      set((s) => {
        const conv = s.conversations[peerID] ?? emptyConversation()
        let list = conv.messages
        for (const m of newestFirst) list = merge(list, m).list
        return { conversations: { ...s.conversations, [peerID]: { ...conv, messages: list, hasMore, loadingOlder: false } } }
      }),
    setLoadingOlder: (peerID, v) =>
      set((s) => {
        const conv = s.conversations[peerID] ?? emptyConversation()
        return { conversations: { ...s.conversations, [peerID]: { ...conv, loadingOlder: v } } }
      }),

    addPending: (peerID, text, clientMessageID) =>
      set((s) => {
        const conv = s.conversations[peerID] ?? emptyConversation()
        const now = new Date().toISOString()
        const m: ChatMessage = {
          messageID: -pendingSeq,
          key: `p${pendingSeq++}`,
          senderID: s.userID ?? 0,
          receiverID: peerID,
          message: text,
          createdAt: now,
          updatedAt: now,
          isUpdated: false,
          isReaded: false,
          clientMessageID,
          status: 'pending',
        }
        return { conversations: { ...s.conversations, [peerID]: { ...conv, messages: [...conv.messages, m] } } }
      }),
    setFailed: (peerID, cmid) => set((s) => patchPending(s, peerID, cmid, 'failed')),
    setRetrying: (peerID, cmid) => set((s) => patchPending(s, peerID, cmid, 'pending')),

    removeMessage: ({ messageID, senderID, receiverID }) =>
      set((s) => {
        const peer = senderID === s.userID ? receiverID : senderID
        const conv = s.conversations[peer]
        if (!conv) return s
        return { conversations: { ...s.conversations, [peer]: { ...conv, messages: conv.messages.filter((m) => m.messageID !== messageID) } } }
      }),

    markReadByPeer: (peerID, upTo) =>
      set((s) => {
        const conv = s.conversations[peerID]
        if (!conv) return s
        const messages = conv.messages.map((m) =>
          m.senderID === s.userID && m.messageID > 0 && !m.isReaded && (upTo === undefined || m.messageID <= upTo) ? { ...m, isReaded: true } : m,
        )
        return { conversations: { ...s.conversations, [peerID]: { ...conv, messages } } }
      }),
    clearUnread: (peerID) =>
      set((s) => {
        const conv = s.conversations[peerID]
        const conversations = conv
          ? { ...s.conversations, [peerID]: { ...conv, messages: conv.messages.map((m) => (m.senderID === peerID && !m.isReaded ? { ...m, isReaded: true } : m)) } }
          : s.conversations
        return { dialogs: s.dialogs.map((d) => (d.receiverID === peerID && d.newMessagesCount ? { ...d, newMessagesCount: 0 } : d)), conversations }
      }),
    markSeen: (peerID, upTo) =>
      set((s) => {
        const conv = s.conversations[peerID]
        let flipped = 0
        const conversations = { ...s.conversations }
        if (conv) {
          const messages = conv.messages.map((m) => {
            if (m.senderID !== peerID || m.messageID <= 0 || m.messageID > upTo || m.isReaded) return m
            flipped++
            return { ...m, isReaded: true }
          })
          if (flipped) conversations[peerID] = { ...conv, messages }
        }
        if (!flipped) return s
        const dialogs = s.dialogs.map((d) => (d.receiverID === peerID ? { ...d, newMessagesCount: Math.max(0, d.newMessagesCount - flipped) } : d))
        return { conversations, dialogs }
      }),
    setOpening: (peerID, opening, unreadFrom) =>
      set((s) => {
        const conv = s.conversations[peerID] ?? emptyConversation()
        const opened = (conv.opened ?? 0) + (opening ? 0 : 1)
        return { conversations: { ...s.conversations, [peerID]: { ...conv, opening, opened, ...(unreadFrom !== undefined ? { unreadFrom } : {}) } } }
      }),
    setLastSender: (peerID, senderID, text) =>
      set((s) => ({
        dialogs: s.dialogs.map((d) => (d.receiverID === peerID && d.lastMessage === text && d.lastMessageSenderID !== senderID ? { ...d, lastMessageSenderID: senderID } : d)),
      })),
    setDraft: (peerID, text) =>
      set((s) => {
        if ((s.drafts[peerID] ?? '') === text) return s
        const drafts = { ...s.drafts }
        if (text) drafts[peerID] = text
        else delete drafts[peerID]
        return { drafts }
      }),
    setDrafts: (drafts) => set({ drafts }),
    setTyping: (peerID, until) => set((s) => ({ typing: { ...s.typing, [peerID]: until } })),

    toast: (kind, text, peerID) => {
      const id = toastSeq++
      set((s) => ({ toasts: [...s.toasts.filter((t) => t.text !== text), { id, kind, text, ...(peerID ? { peerID } : {}) }].slice(-4) }))
      setTimeout(() => get().dismissToast(id), kind === 'error' ? 6000 : 4000)
    },
    dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
    setSessions: (sessions) => set({ sessions }),
    setTheme: (theme) => set({ theme }),
    setLang: (lang) => set({ lang }),
  }))
}

/** Who wrote a dialog's last message, from the messages we hold (undefined when we cannot tell). */
function knownLastSender(s: State, d: Dialog): number | undefined {
  const last = s.conversations[d.receiverID]?.messages.filter((m) => m.messageID > 0).at(-1)
  if (last && last.message === d.lastMessage) return last.senderID
  const old = s.dialogs.find((x) => x.receiverID === d.receiverID)
  return old && old.lastMessage === d.lastMessage && old.createdAt === d.createdAt ? old.lastMessageSenderID : undefined
}

function patchPending(s: State, peerID: number, cmid: string, status: SendStatus): Partial<State> {
  const conv = s.conversations[peerID]
  if (!conv) return {}
  return {
    conversations: {
      ...s.conversations,
      [peerID]: { ...conv, messages: conv.messages.map((m) => (m.messageID <= 0 && m.clientMessageID === cmid ? { ...m, status } : m)) },
    },
  }
}

export const store = createAppStore()

export function useStore<T>(selector: (s: Store) => T): T {
  return useZustand(store, selector)
}

export const totalUnread = (s: State) => s.dialogs.reduce((n, d) => n + d.newMessagesCount, 0)
