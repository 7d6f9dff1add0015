import { beforeEach, describe, expect, it } from 'vitest'
import type { Dialog, Message } from '../api/types'
import { createAppStore, totalUnread } from './store'

const ME = 1
const BOB = 2
let seq = 100
const msg = (p: Partial<Message>): Message => ({
  messageID: ++seq,
  senderID: BOB,
  receiverID: ME,
  message: 'hi',
  createdAt: new Date(2026, 10, 26, 10, 0, seq % 60).toISOString(),
  updatedAt: new Date().toISOString(),
  isUpdated: false,
  isReaded: false,
  ...p,
})
const dialog = (p: Partial<Dialog> = {}): Dialog => ({
  receiverID: BOB,
  receiverName: 'Bob',
  lastMessage: 'old',
  createdAt: new Date(2026, 10, 25).toISOString(),
  newMessagesCount: 0,
  connectionStatus: 'offline',
  ...p,
})

let store: ReturnType<typeof createAppStore>
beforeEach(() => {
  store = createAppStore()
  store.getState().signedIn(ME)
})

describe('store', () => {
  it('replaces the optimistic bubble when the server echo carries its clientMessageID, keeping its key', () => {
    const s = store.getState()
    s.addPending(BOB, 'hello', 'cm-1')
    const pending = store.getState().conversations[BOB].messages[0]
    expect(pending.status).toBe('pending')

    const echo = msg({ senderID: ME, receiverID: BOB, message: 'hello', clientMessageID: 'cm-1' })
    s.receiveMessages([echo])
    s.receiveMessages([echo]) // the socket echo after the ack: no duplicate

    const list = store.getState().conversations[BOB].messages
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ messageID: echo.messageID, status: 'sent', key: pending.key })
  })

  it('an ack does not move the sync cursor past peer messages the stream still owes (cluster e2e)', () => {
    const s = store.getState()
    s.setConn('online')
    const seen = msg({})
    s.receiveMessages([seen]) // from the event stream
    s.addPending(BOB, 'sent while the socket was down', 'cm-ack')
    const missed = msg({}) // the peer's, committed while our socket was reconnecting
    const ack = msg({ senderID: ME, receiverID: BOB, message: 'sent while the socket was down', clientMessageID: 'cm-ack' })
    s.receiveMessages([ack], { advanceCursor: false }) // REST answer to our own send
    expect(ack.messageID).toBeGreaterThan(missed.messageID)
    expect(store.getState().conversations[BOB].messages.at(-1)).toMatchObject({ messageID: ack.messageID, status: 'sent' })
    expect(store.getState().maxMessageID).toBe(seen.messageID) // a sync after it still returns `missed`
    s.receiveMessages([missed, ack]) // the sync
    expect(store.getState().maxMessageID).toBe(ack.messageID)
  })

  it('handles the socket echo arriving before the ack: one bubble, optimistic twin removed', () => {
    const s = store.getState()
    s.addPending(BOB, 'race', 'cm-2')
    const real = msg({ senderID: ME, receiverID: BOB, message: 'race' })
    s.receiveMessages([real]) // echo without clientMessageID: pairs with the in-flight bubble
    expect(store.getState().conversations[BOB].messages).toHaveLength(1)
    s.receiveMessages([{ ...real, clientMessageID: 'cm-2' }]) // the ack
    const list = store.getState().conversations[BOB].messages
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ messageID: real.messageID, status: 'sent' })
  })

  it('a stale copy never un-reads a message or reverts an edit', () => {
    const s = store.getState()
    const m = msg({ senderID: ME, receiverID: BOB, message: 'v1', updatedAt: '2026-11-26T10:00:00Z' })
    s.receiveMessages([m])
    s.markReadByPeer(BOB)
    s.receiveMessages([{ ...m, message: 'v2', isUpdated: true, updatedAt: '2026-11-26T10:05:00Z' }])
    s.receiveMessages([m]) // late ack/sync copy: unread, old text
    const got = store.getState().conversations[BOB].messages[0]
    expect(got).toMatchObject({ isReaded: true, message: 'v2', isUpdated: true })
  })

  it('deduplicates by messageID even without a clientMessageID', () => {
    const m = msg({})
    store.getState().receiveMessages([m])
    const fresh = store.getState().receiveMessages([{ ...m }])
    expect(fresh).toEqual([])
    expect(store.getState().conversations[BOB].messages).toHaveLength(1)
  })

  it('counts unread for new incoming messages of a conversation not on screen, updates the dialog and the total', () => {
    const s = store.getState()
    s.setConn('online')
    s.setDialogs([dialog()])
    const a = msg({ message: 'one' })
    const b = msg({ message: 'two' })
    const fresh = s.receiveMessages([a, b])
    expect(fresh.map((m) => m.messageID)).toEqual([a.messageID, b.messageID])
    const d = store.getState().dialogs[0]
    expect(d.newMessagesCount).toBe(2)
    expect(d.lastMessage).toBe('two')
    expect(totalUnread(store.getState())).toBe(2)
    expect(store.getState().maxMessageID).toBe(b.messageID)
  })

  it('moves the sync cursor only while online (a REST-acknowledged send while offline must not skip what others sent)', () => {
    const s = store.getState()
    s.setConn('reconnecting')
    s.receiveMessages([msg({ message: 'acked over REST while offline' })])
    expect(store.getState().maxMessageID).toBe(0)
    s.setConn('online')
    const live = msg({ message: 'live' })
    s.receiveMessages([live])
    expect(store.getState().maxMessageID).toBe(live.messageID)
  })

  it('counts messages of the open conversation too, until the view reports them seen', () => {
    const s = store.getState()
    s.setDialogs([dialog()])
    s.setActivePeer(BOB)
    s.setVisible(true)
    const [a, b, c] = [msg({}), msg({}), msg({})]
    s.receiveMessages([a, b, c])
    expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    s.markSeen(BOB, b.messageID)
    expect(store.getState().dialogs[0].newMessagesCount).toBe(1)
    expect(store.getState().conversations[BOB].messages.map((m) => m.isReaded)).toEqual([true, true, false])
    s.markSeen(BOB, b.messageID) // a repeat (another tab, a late report) changes nothing
    expect(store.getState().dialogs[0].newMessagesCount).toBe(1)
    s.markSeen(BOB, c.messageID)
    expect(store.getState().dialogs[0].newMessagesCount).toBe(0)
  })

  describe('unread badge equals the server count in every order of events (new_dialog carries 0)', () => {
    const newDialog = () => dialog({ newMessagesCount: 0, lastMessage: 'hi' })
    const three = () => [msg({}), msg({}), msg({})]

    it('new_dialog first, then three new_message', () => {
      const s = store.getState()
      s.upsertDialog(newDialog())
      for (const m of three()) s.receiveMessages([m])
      expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    })

    it('the first new_message before new_dialog, the rest after', () => {
      const s = store.getState()
      const [a, b, c] = three()
      s.receiveMessages([a])
      s.upsertDialog(newDialog())
      s.receiveMessages([b])
      s.receiveMessages([c])
      expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    })

    it('all new_message before new_dialog', () => {
      const s = store.getState()
      for (const m of three()) s.receiveMessages([m])
      s.upsertDialog(newDialog())
      expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    })

    it('duplicates by messageID and a repeated new_dialog are ignored', () => {
      const s = store.getState()
      const [a, b, c] = three()
      s.receiveMessages([a])
      s.upsertDialog(newDialog())
      s.receiveMessages([a, b])
      s.upsertDialog(newDialog())
      s.receiveMessages([{ ...b }, c, { ...c }])
      s.upsertDialog(newDialog())
      expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    })

    it('my own first message to someone new counts nothing', () => {
      const s = store.getState()
      s.receiveMessages([msg({ senderID: ME, receiverID: BOB })])
      s.upsertDialog(newDialog())
      s.receiveMessages([msg({ senderID: ME, receiverID: BOB })])
      expect(store.getState().dialogs[0].newMessagesCount).toBe(0)
    })

    it('a dialog list snapshot from the server sets the count', () => {
      const s = store.getState()
      for (const m of three()) s.receiveMessages([m])
      s.setDialogs([dialog({ newMessagesCount: 3 })])
      expect(store.getState().dialogs[0].newMessagesCount).toBe(3)
    })
  })

  it('remembers who wrote the last message of a dialog', () => {
    const s = store.getState()
    s.setDialogs([dialog()])
    s.receiveMessages([msg({ senderID: ME, receiverID: BOB, message: 'mine' })])
    expect(store.getState().dialogs[0]).toMatchObject({ lastMessage: 'mine', lastMessageSenderID: ME })
    // a reload of the list keeps it while the last message is the same one
    const { lastMessageSenderID: _, ...plain } = store.getState().dialogs[0]
    void _
    s.setDialogs([plain])
    expect(store.getState().dialogs[0].lastMessageSenderID).toBe(ME)
    s.receiveMessages([msg({ message: 'theirs' })])
    expect(store.getState().dialogs[0].lastMessageSenderID).toBe(BOB)
  })

  it('keeps a draft per conversation and drops empty ones', () => {
    const s = store.getState()
    s.setDraft(BOB, 'half a thought')
    s.setDraft(3, 'x')
    s.setDraft(3, '')
    expect(store.getState().drafts).toEqual({ [BOB]: 'half a thought' })
  })

  it('marks my messages read up to an id (message_read) or all (all_messages_read)', () => {
    const s = store.getState()
    const m1 = msg({ senderID: ME, receiverID: BOB })
    const m2 = msg({ senderID: ME, receiverID: BOB })
    s.receiveMessages([m1, m2])
    s.markReadByPeer(BOB, m1.messageID)
    let list = store.getState().conversations[BOB].messages
    expect(list.map((m) => m.isReaded)).toEqual([true, false])
    s.markReadByPeer(BOB)
    list = store.getState().conversations[BOB].messages
    expect(list.map((m) => m.isReaded)).toEqual([true, true])
  })

  it('keeps history sorted when older pages are prepended and tracks hasMore', () => {
    const s = store.getState()
    const [m1, m2, m3, m4] = [msg({}), msg({}), msg({}), msg({})]
    s.setHistory(BOB, [m4, m3], true)
    s.prependOlder(BOB, [m2, m1], false)
    const c = store.getState().conversations[BOB]
    expect(c.messages.map((m) => m.messageID)).toEqual([m1.messageID, m2.messageID, m3.messageID, m4.messageID])
    expect(c.hasMore).toBe(false)
    expect(c.loaded).toBe(true)
  })

  it('marks a failed send and retries with the same clientMessageID', () => {
    const s = store.getState()
    s.addPending(BOB, 'x', 'cm-9')
    s.setFailed(BOB, 'cm-9')
    expect(store.getState().conversations[BOB].messages[0].status).toBe('failed')
    s.setRetrying(BOB, 'cm-9')
    expect(store.getState().conversations[BOB].messages[0]).toMatchObject({ status: 'pending', clientMessageID: 'cm-9' })
  })

  it('removes deleted messages, clears unread, tracks presence and typing', () => {
    const s = store.getState()
    s.setDialogs([dialog({ newMessagesCount: 3 })])
    const m = msg({})
    s.receiveMessages([m])
    s.removeMessage({ messageID: m.messageID, senderID: BOB, receiverID: ME })
    expect(store.getState().conversations[BOB].messages).toHaveLength(0)
    s.clearUnread(BOB)
    expect(store.getState().dialogs[0].newMessagesCount).toBe(0)
    s.setPresence(BOB, 'online')
    expect(store.getState().dialogs[0].connectionStatus).toBe('online')
    s.setTyping(BOB, 123)
    expect(store.getState().typing[BOB]).toBe(123)
  })

  it('sign-out wipes the user data but keeps theme and language', () => {
    const s = store.getState()
    s.setTheme('dark')
    s.setLang('ru')
    s.setDialogs([dialog()])
    s.signedOut('bye')
    const st = store.getState()
    expect(st).toMatchObject({ authStatus: 'signedOut', notice: 'bye', userID: null, dialogs: [], theme: 'dark', lang: 'ru' })
  })
})
