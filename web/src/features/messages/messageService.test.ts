import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../api/types'

const mocks = vi.hoisted(() => ({
  post: vi.fn(),
  get: vi.fn(async () => []),
  socket: null as null | { isOnline: boolean; request: ReturnType<typeof vi.fn>; emit: ReturnType<typeof vi.fn> },
}))

vi.mock('../../app/services', () => ({
  http: { post: mocks.post, get: mocks.get, put: vi.fn(), del: vi.fn() },
  bus: { post: vi.fn(), subscribe: vi.fn() },
  realtime: {
    get socket() {
      return mocks.socket
    },
  },
}))

import { ApiError } from '../../api/http'
import { store } from '../../app/store'
import { retryMessage, sendMessage } from './messageService'

const ME = 1
const BOB = 2
let nextId = 500
const serverMsg = (text: string): Message => ({
  messageID: ++nextId,
  senderID: ME,
  receiverID: BOB,
  message: text,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  isUpdated: false,
  isReaded: false,
})
const bubbles = () => store.getState().conversations[BOB]?.messages ?? []
const settle = () => new Promise((r) => setTimeout(r, 0))

beforeEach(() => {
  store.getState().signedOut(null)
  store.getState().signedIn(ME)
  mocks.post.mockReset()
  mocks.socket = null
})

describe('sending', () => {
  it('sends to one peer strictly one after another', async () => {
    const order: string[] = []
    let release!: () => void
    mocks.post.mockImplementationOnce(async (_p: string, b: { message: string }) => {
      order.push(`start ${b.message}`)
      await new Promise<void>((r) => (release = r))
      order.push(`end ${b.message}`)
      return serverMsg(b.message)
    })
    mocks.post.mockImplementationOnce(async (_p: string, b: { message: string }) => {
      order.push(`start ${b.message}`)
      return serverMsg(b.message)
    })
    sendMessage(BOB, 'first')
    sendMessage(BOB, 'second')
    await settle()
    expect(order).toEqual(['start first'])
    release()
    await settle()
    await settle()
    expect(order).toEqual(['start first', 'end first', 'start second'])
  })

  it('prefers the socket with an ack and shows one sent bubble', async () => {
    const m = serverMsg('via socket')
    mocks.socket = { isOnline: true, emit: vi.fn(), request: vi.fn(async () => ({ statusCode: 200, message: 'OK', data: m })) }
    sendMessage(BOB, 'via socket')
    expect(bubbles()).toMatchObject([{ status: 'pending', message: 'via socket' }])
    await settle()
    const [event, payload] = mocks.socket.request.mock.calls[0]
    expect(event).toBe('message:send')
    expect(payload).toMatchObject({ receiverID: BOB, message: 'via socket' })
    expect(payload.clientMessageID).toMatch(/^[0-9a-f-]{36}$/)
    expect(mocks.post).not.toHaveBeenCalled()
    expect(bubbles()).toMatchObject([{ messageID: m.messageID, status: 'sent' }])
  })

  it('falls back to REST with the same clientMessageID when the socket drops mid-send', async () => {
    const m = serverMsg('fallback')
    mocks.socket = { isOnline: true, emit: vi.fn(), request: vi.fn(async () => Promise.reject(new Error('disconnected'))) }
    mocks.post.mockResolvedValue(m)
    sendMessage(BOB, 'fallback')
    await settle()
    const cmid = mocks.socket.request.mock.calls[0][1].clientMessageID
    expect(mocks.post).toHaveBeenCalledWith(`/api/message/${BOB}`, { message: 'fallback', clientMessageID: cmid })
    expect(bubbles()).toHaveLength(1)
    expect(bubbles()[0]).toMatchObject({ messageID: m.messageID, status: 'sent' })
  })

  it('marks a failed send and retries with the same clientMessageID, without a duplicate', async () => {
    mocks.post.mockRejectedValueOnce(new ApiError(0, 'network'))
    sendMessage(BOB, 'flaky')
    await settle()
    expect(bubbles()).toMatchObject([{ status: 'failed', message: 'flaky' }])
    const cmid = mocks.post.mock.calls[0][1].clientMessageID
    const m = serverMsg('flaky')
    mocks.post.mockResolvedValueOnce(m)
    retryMessage(BOB, cmid)
    expect(bubbles()[0].status).toBe('pending')
    await settle()
    expect(mocks.post).toHaveBeenCalledTimes(2)
    expect(mocks.post.mock.calls[1][1]).toEqual({ message: 'flaky', clientMessageID: cmid })
    // the live echo of the same message arrives as well
    store.getState().receiveMessages([m])
    expect(bubbles()).toHaveLength(1)
    expect(bubbles()[0]).toMatchObject({ messageID: m.messageID, status: 'sent' })
  })
})
