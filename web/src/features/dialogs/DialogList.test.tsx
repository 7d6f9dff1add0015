import { act, cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Dialog, Message } from '../../api/types'
import { store } from '../../app/store'
import { fakeApi } from '../../test/fakeApi'
import { DialogList } from './DialogList'

// The unread badge of the conversation list, driven through the store the way the realtime
// layer drives it.

const ME = 1
let seq = 900
const dialog = (p: Partial<Dialog>): Dialog => ({ receiverID: 2, receiverName: 'Bob', lastMessage: 'hi', createdAt: '2026-11-30T10:00:00Z', newMessagesCount: 0, connectionStatus: 'offline', ...p })
const incoming = (from: number, text: string): Message => {
  const now = new Date().toISOString()
  return { messageID: ++seq, senderID: from, receiverID: ME, message: text, createdAt: now, updatedAt: now, isUpdated: false, isReaded: false }
}

beforeEach(() => {
  fakeApi()
  act(() => {
    store.getState().signedOut(null) // a fresh session: nothing left from the previous test
    store.getState().signedIn(ME)
    store.getState().setLang('en')
    store.getState().setActivePeer(null)
    store.getState().setDialogs([dialog({ receiverID: 2, receiverName: 'Bob', newMessagesCount: 3 }), dialog({ receiverID: 3, receiverName: 'Carol', createdAt: '2026-11-29T10:00:00Z' })])
  })
})
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const row = (name: string) => screen.getAllByTestId('dialog').find((el) => el.textContent?.includes(name))!

describe('conversation list badge', () => {
  it('shows the unread count, named for screen readers, and nothing when there is none', () => {
    render(<DialogList activePeer={null} />)
    const badge = within(row('Bob')).getByLabelText('3 unread')
    expect(badge.textContent).toBe('3')
    expect(within(row('Carol')).queryByLabelText(/unread/)).toBeNull()
  })

  it('counts new incoming messages, and clears when the conversation is read', () => {
    render(<DialogList activePeer={null} />)
    act(() => {
      store.getState().receiveMessages([incoming(3, 'one')])
      store.getState().receiveMessages([incoming(3, 'two')])
    })
    expect(within(row('Carol')).getByLabelText('2 unread').textContent).toBe('2')
    expect(row('Carol').textContent).toContain('two')
    act(() => store.getState().clearUnread(3))
    expect(within(row('Carol')).queryByLabelText(/unread/)).toBeNull()
    expect(within(row('Bob')).getByLabelText('3 unread')).toBeTruthy()
  })

  it('counts a message of the open conversation only until the view reports it seen', () => {
    render(<DialogList activePeer={3} />)
    const m = incoming(3, 'seen once on screen')
    act(() => {
      store.getState().setVisible(true)
      store.getState().setActivePeer(3)
      store.getState().receiveMessages([m])
    })
    expect(within(row('Carol')).getByLabelText('1 unread').textContent).toBe('1')
    act(() => store.getState().markSeen(3, m.messageID))
    expect(within(row('Carol')).queryByLabelText(/unread/)).toBeNull()
  })

  it('a duplicate copy of a message (echo, sync) does not count twice', () => {
    render(<DialogList activePeer={null} />)
    const m = incoming(3, 'once')
    act(() => {
      store.getState().receiveMessages([m])
      store.getState().receiveMessages([m])
    })
    expect(within(row('Carol')).getByLabelText('1 unread')).toBeTruthy()
  })
})
