import { describe, expect, it, vi } from 'vitest'
import { SocketService, type SocketLike, type SocketOptions } from './socket'
import { syncMissed } from './sync'
import type { Message } from './types'

/** Minimal stand-in for a socket.io-client Socket: records emits, lets the test play the server. */
class FakeSocket implements SocketLike {
  connected = false
  active = false
  handlers = new Map<string, ((...a: unknown[]) => void)[]>()
  emitted: { event: string; args: unknown[] }[] = []
  connects = 0
  disconnects = 0
  authSent: object[] = []
  ack: unknown = { statusCode: 200, message: 'ok' }
  readonly opts: SocketOptions
  constructor(opts: SocketOptions) {
    this.opts = opts
  }
  on(event: string, fn: (...a: never[]) => void) {
    const list = this.handlers.get(event) ?? []
    list.push(fn as (...a: unknown[]) => void)
    this.handlers.set(event, list)
    return this
  }
  emit(event: string, ...args: unknown[]) {
    this.emitted.push({ event, args })
    return this
  }
  timeout() {
    return { emitWithAck: async (event: string, ...args: unknown[]) => (this.emit(event, ...args), this.ack) }
  }
  connect() {
    this.connects++
    this.active = true
    // like socket.io: the auth callback is evaluated on every connection attempt
    this.opts.auth((data) => this.authSent.push(data))
    return this
  }
  disconnect() {
    this.disconnects++
    this.connected = false
    this.active = false
    return this
  }
  /** server side */
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true
    if (event === 'disconnect') this.connected = false
    for (const h of this.handlers.get(event) ?? []) h(...args)
  }
}

function setup(overrides: Partial<ConstructorParameters<typeof SocketService>[0]> = {}) {
  let token = 'a1'
  let sock!: FakeSocket
  const scheduled: (() => void)[] = []
  const deps = {
    io: vi.fn((_url: string, opts: SocketOptions) => (sock = new FakeSocket(opts))),
    url: 'http://localhost:8081',
    device: { os: 'Linux', browser: 'Firefox' },
    getToken: () => token,
    refresh: vi.fn(async () => {
      token = 'a2'
      return true
    }),
    onState: vi.fn(),
    onEvent: vi.fn(),
    onReady: vi.fn(async () => {}),
    schedule: (fn: () => void) => scheduled.push(fn),
    random: () => 0.5,
    ...overrides,
  }
  const svc = new SocketService(deps)
  svc.start()
  return { svc, deps, sock: () => sock, scheduled, setToken: (t: string) => (token = t) }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('SocketService', () => {
  it('connects to the configured URL with {token, os, browser} and announces itself with user:connect', () => {
    const { deps, sock } = setup()
    expect(deps.io).toHaveBeenCalledWith('http://localhost:8081', expect.objectContaining({ reconnection: true }))
    expect(sock().authSent).toEqual([{ token: 'a1', os: 'Linux', browser: 'Firefox' }])
    sock().fire('connect')
    expect(sock().emitted.map((e) => e.event)).toEqual(['user:connect'])
  })

  it('goes online and syncs only after user:connect_success', async () => {
    const { svc, deps, sock } = setup()
    sock().fire('connect')
    expect(deps.onReady).not.toHaveBeenCalled()
    sock().fire('user:connect_success')
    expect(svc.connState).toBe('online')
    expect(deps.onReady).toHaveBeenCalledTimes(1)
  })

  it('on user:invalid_token refreshes the token and reconnects with the new one', async () => {
    const { deps, sock, svc } = setup()
    sock().fire('connect')
    sock().fire('user:invalid_token')
    sock().fire('disconnect', 'io server disconnect')
    expect(svc.connState).toBe('reconnecting')
    await flush()
    expect(deps.refresh).toHaveBeenCalledTimes(1)
    expect(deps.refresh).toHaveBeenCalledWith('a1')
    expect(sock().connects).toBe(2)
    expect(sock().authSent.at(-1)).toEqual({ token: 'a2', os: 'Linux', browser: 'Firefox' })
    sock().fire('connect')
    sock().fire('user:connect_success')
    expect(svc.connState).toBe('online')
  })

  it('stops when the refresh fails (signed out)', async () => {
    const { sock, svc } = setup({ refresh: vi.fn(async () => false) })
    sock().fire('connect')
    sock().fire('user:invalid_token')
    await flush()
    expect(svc.connState).toBe('idle')
    expect(sock().connects).toBe(1)
  })

  it('runs the sync again after every reconnect', async () => {
    const { deps, sock } = setup()
    sock().fire('connect')
    sock().fire('user:connect_success')
    sock().fire('disconnect', 'transport close')
    expect(deps.onState).toHaveBeenLastCalledWith('reconnecting')
    sock().fire('connect')
    sock().fire('user:connect_success')
    expect(deps.onReady).toHaveBeenCalledTimes(2)
    expect(sock().emitted.filter((e) => e.event === 'user:connect')).toHaveLength(2)
  })

  it('reconnects with backoff after the server closes the connection', () => {
    const { sock, scheduled } = setup()
    sock().fire('connect')
    sock().fire('user:connect_success')
    sock().fire('disconnect', 'io server disconnect')
    expect(scheduled).toHaveLength(1)
    scheduled[0]()
    expect(sock().connects).toBe(2)
  })

  it('forwards server events and sends with an ack only while online', async () => {
    const { svc, deps, sock } = setup()
    await expect(svc.request('message:send', {})).rejects.toThrow('offline')
    sock().fire('connect')
    sock().fire('user:connect_success')
    sock().fire('user:new_message', { messageID: 5 })
    expect(deps.onEvent).toHaveBeenCalledWith('user:new_message', { messageID: 5 })
    sock().ack = { statusCode: 200, message: 'ok', data: { messageID: 9 } }
    const ack = await svc.request('message:send', { receiverID: 2, message: 'hi', clientMessageID: 'c1' })
    expect(ack).toEqual({ statusCode: 200, message: 'ok', data: { messageID: 9 } })
    expect(sock().emitted.at(-1)).toEqual({ event: 'message:send', args: [{ receiverID: 2, message: 'hi', clientMessageID: 'c1' }] })
  })
})

const msg = (id: number): Message => ({ messageID: id, senderID: 1, receiverID: 2, message: `m${id}`, createdAt: '', updatedAt: '', isUpdated: false, isReaded: false })

describe('SocketService sync:required', () => {
  it('hands the server point of sync:required to onResync', () => {
    const onResync = vi.fn()
    const { sock } = setup({ onResync })
    sock().fire('connect')
    sock().fire('user:connect_success')
    sock().fire('sync:required', { after: 77 })
    sock().fire('sync:required', { after: 'x' })
    expect(onResync.mock.calls).toEqual([[77], [0]])
  })
})

describe('syncMissed', () => {
  it('pages from the highest seen id while full pages come back', async () => {
    const server = Array.from({ length: 7 }, (_, i) => msg(11 + i)) // ids 11..17
    const fetchPage = vi.fn(async (after: number, limit: number) => server.filter((m) => m.messageID > after).slice(0, limit))
    const applied: number[] = []
    const n = await syncMissed(fetchPage, 10, (p) => applied.push(...p.map((m) => m.messageID)), 3)
    expect(n).toBe(7)
    expect(applied).toEqual([11, 12, 13, 14, 15, 16, 17])
    expect(fetchPage.mock.calls).toEqual([
      [10, 3],
      [13, 3],
      [16, 3],
    ])
  })

  it('stops after an empty page', async () => {
    const fetchPage = vi.fn(async () => [] as Message[])
    expect(await syncMissed(fetchPage, 5, () => {}, 100)).toBe(0)
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })
})

describe('SocketService network events', () => {
  it('drops on offline and reconnects at once on online, then syncs again', () => {
    const { svc, deps, sock } = setup()
    sock().fire('connect')
    sock().fire('user:connect_success')
    svc.drop()
    expect(svc.connState).toBe('reconnecting')
    expect(sock().disconnects).toBe(1)
    svc.reconnectNow()
    expect(sock().connects).toBe(2)
    sock().fire('connect')
    sock().fire('user:connect_success')
    expect(deps.onReady).toHaveBeenCalledTimes(2)
    expect(svc.connState).toBe('online')
  })
})

describe('SocketService acks', () => {
  it('fails an outstanding ack as soon as the connection drops', async () => {
    const { svc, sock } = setup()
    sock().fire('connect')
    sock().fire('user:connect_success')
    sock().timeout = () => ({ emitWithAck: () => new Promise(() => {}) }) // the ack never comes
    const p = svc.request('message:send', { receiverID: 2, message: 'x', clientMessageID: 'c' })
    sock().fire('disconnect', 'transport close')
    await expect(p).rejects.toThrow('disconnected')
  })
})
