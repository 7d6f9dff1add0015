import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'
import { deferred, fakeApi } from '../../test/fakeApi'
import { Conversation } from './Conversation'

// The message composer as a user meets it: Enter sends, Shift+Enter does not, a message shows
// as sending, then sent; a failed one offers Retry, which resends with the same clientMessageID.

const ME = 1
const BOB = 2
let api: ReturnType<typeof fakeApi>
let nextId = 500

const echo = (body: { message: string; clientMessageID: string }): Message => {
  const now = new Date().toISOString()
  return { messageID: ++nextId, senderID: ME, receiverID: BOB, message: body.message, clientMessageID: body.clientMessageID, createdAt: now, updatedAt: now, isUpdated: false, isReaded: false }
}

beforeEach(() => {
  api = fakeApi()
  api.on('GET', /^\/api\/message\/2\?/, () => [])
  http.setTokens({ userID: ME, accessToken: 'access', refreshToken: 'refresh' })
  act(() => {
    const s = store.getState()
    s.signedOut(null) // a fresh session: nothing left from the previous test
    s.signedIn(ME)
    s.setLang('en')
    s.rememberName(BOB, 'Bob')
    s.setHistory(BOB, [], false)
  })
})
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const box = () => screen.getByRole('textbox', { name: 'Write a message…' }) as HTMLTextAreaElement
const sends = () => api.calls.filter((c) => c.method === 'POST' && c.path === '/api/message/2')
const type = (text: string) => fireEvent.change(box(), { target: { value: text } })

describe('message composer', () => {
  it('Enter sends (the box empties, the message shows as sending, then as sent)', async () => {
    const held = deferred<void>()
    api.on('POST', /^\/api\/message\/2$/, async (c) => {
      await held.promise
      return echo(c.body as { message: string; clientMessageID: string })
    })
    render(<Conversation peerID={BOB} />)
    type('hello Bob')
    fireEvent.keyDown(box(), { key: 'Enter' })
    expect(box().value).toBe('')
    await screen.findByText('hello Bob')
    await screen.findByText('Sending')
    await waitFor(() => expect(sends()).toHaveLength(1))
    held.resolve()
    await screen.findByText('Sent')
    expect(screen.queryByText('Sending')).toBeNull()
    expect((sends()[0].body as { message: string }).message).toBe('hello Bob')
  })

  it('Shift+Enter does not send; the text keeps its line break when sent', async () => {
    api.on('POST', /^\/api\/message\/2$/, (c) => echo(c.body as { message: string; clientMessageID: string }))
    render(<Conversation peerID={BOB} />)
    type('first line')
    fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true })
    expect(box().value).toBe('first line')
    expect(screen.queryByText('Sending')).toBeNull()
    type('first line\nsecond line')
    fireEvent.keyDown(box(), { key: 'Enter' })
    await waitFor(() => expect(sends()).toHaveLength(1))
    expect((sends()[0].body as { message: string }).message).toBe('first line\nsecond line')
  })

  it('an empty or blank message is not sent', () => {
    render(<Conversation peerID={BOB} />)
    type('   ')
    fireEvent.keyDown(box(), { key: 'Enter' })
    expect(sends()).toHaveLength(0)
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('a failed send shows "Not sent" and Retry; Retry resends with the same clientMessageID', async () => {
    let fail = true
    api.on('POST', /^\/api\/message\/2$/, (c) => {
      if (fail) throw new TypeError('Failed to fetch')
      return echo(c.body as { message: string; clientMessageID: string })
    })
    render(<Conversation peerID={BOB} />)
    type('will fail first')
    fireEvent.keyDown(box(), { key: 'Enter' })
    const retry = await screen.findByRole('button', { name: 'Retry' })
    expect(screen.getByText('Not sent')).toBeTruthy()
    fail = false
    act(() => retry.click())
    await screen.findByText('Sent')
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
    const [a, b] = sends().map((c) => (c.body as { clientMessageID: string }).clientMessageID)
    expect(sends()).toHaveLength(2)
    expect(a).toMatch(/^[0-9a-f-]{36}$/)
    expect(b).toBe(a)
    expect(screen.getAllByText('will fail first')).toHaveLength(1)
  })
})
