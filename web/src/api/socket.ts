import type { Device } from './types'

/** The part of a socket.io-client v4 Socket we use (lets tests pass a fake). */
export interface SocketLike {
  readonly connected: boolean
  readonly active: boolean
  on(event: string, fn: (...args: never[]) => void): unknown
  emit(event: string, ...args: unknown[]): unknown
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> }
  connect(): unknown
  disconnect(): unknown
}

export interface SocketOptions {
  auth: (cb: (data: object) => void) => void
  reconnection: boolean
  reconnectionDelay: number
  reconnectionDelayMax: number
  randomizationFactor: number
  autoConnect: boolean
}

export type IoFactory = (url: string, opts: SocketOptions) => SocketLike

export type ConnState = 'idle' | 'connecting' | 'online' | 'reconnecting'

/** Server → client events forwarded to the app. */
export const FORWARDED_EVENTS = [
  'user:new_message',
  'user:new_dialog',
  'user:all_messages_read',
  'user:message_read',
  'user:connection_status',
  'user:typing',
  'user:message_updated',
  'user:message_deleted',
  'user:profile_updated',
] as const

export interface SocketDeps {
  io: IoFactory
  url: string
  device: Device
  getToken: () => string | null
  /** Refreshes the access token (single-flight); false = signed out. */
  refresh: (failedToken: string | null) => Promise<boolean>
  onState: (s: ConnState) => void
  onEvent: (event: string, payload: unknown) => void
  /** Runs after every successful (re)authentication — the missed-message sync. */
  onReady: () => Promise<void> | void
  /**
   * The server may have lost events for this socket (`sync:required {after}`): sync from
   * min(own cursor, after). `after` is a message id, 0 when the server sent none usable.
   */
  onResync?: (after: number) => void
  schedule?: (fn: () => void, ms: number) => unknown
  random?: () => number
}

/** The `after` of a `sync:required` payload; 0 (sync everything) when missing or malformed. */
export function resyncPoint(payload: { after?: unknown } | undefined): number {
  const a = payload?.after
  return typeof a === 'number' && Number.isSafeInteger(a) && a > 0 ? a : 0
}

/**
 * Realtime connection: authenticates with `{token, os, browser}`, announces
 * itself with `user:connect`, re-authenticates after `user:invalid_token`,
 * reconnects with backoff and triggers a sync after every (re)connect.
 */
export class SocketService {
  private socket: SocketLike | null = null
  private state: ConnState = 'idle'
  private stopped = true
  private reauthing = false
  private attempts = 0
  private retryPending = false
  private tokenAtConnect: string | null = null
  /** rejecters of acks still outstanding: a dropped connection fails them at once */
  private pendingAcks = new Set<(e: Error) => void>()
  private readonly deps: SocketDeps

  constructor(deps: SocketDeps) {
    this.deps = deps
  }

  get connState(): ConnState {
    return this.state
  }

  get isOnline(): boolean {
    return this.state === 'online' && !!this.socket?.connected
  }

  private setState(s: ConnState) {
    if (this.state === s) return
    this.state = s
    this.deps.onState(s)
  }

  authPayload(): { token: string; os: string; browser: string } {
    this.tokenAtConnect = this.deps.getToken()
    return { token: this.tokenAtConnect ?? '', os: this.deps.device.os, browser: this.deps.device.browser }
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.setState('connecting')
    const s = this.deps.io(this.deps.url, {
      auth: (cb) => cb(this.authPayload()),
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      autoConnect: false,
    })
    this.socket = s
    s.on('connect', () => {
      s.emit('user:connect')
    })
    s.on('user:connect_success', () => {
      this.attempts = 0
      this.setState('online')
      void Promise.resolve(this.deps.onReady()).catch(() => {})
    })
    s.on('user:invalid_token', () => {
      void this.reauth()
    })
    s.on('disconnect', (reason: string) => {
      this.failPendingAcks()
      if (this.stopped) return
      this.setState('reconnecting')
      // The server closed us (e.g. after invalid_token or a restart): socket.io does
      // not reconnect by itself in that case.
      if (reason === 'io server disconnect' && !this.reauthing) this.retryLater()
    })
    s.on('connect_error', () => {
      if (this.stopped) return
      this.setState('reconnecting')
      // Rejected by the server (not a transport problem): socket.io gives up, so we
      // refresh the token and try again with backoff.
      if (!s.active) void this.reauth()
    })
    s.on('sync:required', (payload: { after?: unknown } | undefined) => {
      this.deps.onResync?.(resyncPoint(payload))
    })
    for (const ev of FORWARDED_EVENTS) {
      s.on(ev, (payload: never) => this.deps.onEvent(ev, payload))
    }
    s.connect()
  }

  private async reauth(): Promise<void> {
    if (this.reauthing || this.stopped) return
    this.reauthing = true
    this.setState('reconnecting')
    try {
      const ok = await this.deps.refresh(this.tokenAtConnect)
      if (!ok) {
        this.stop()
        return
      }
    } catch {
      // network trouble during refresh: retry later
      this.reauthing = false
      this.retryLater()
      return
    }
    this.reauthing = false
    if (this.stopped || !this.socket) return
    this.socket.disconnect()
    if (this.attempts === 0) {
      this.attempts++
      this.socket.connect()
    } else this.retryLater()
  }

  private retryLater(): void {
    if (this.retryPending || this.stopped) return
    this.retryPending = true
    const base = Math.min(1000 * 2 ** this.attempts, 15000)
    const delay = base / 2 + (this.deps.random ?? Math.random)() * (base / 2)
    this.attempts++
    const schedule = this.deps.schedule ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
    schedule(() => {
      this.retryPending = false
      if (this.stopped || !this.socket || this.socket.connected) return
      this.socket.disconnect()
      this.socket.connect()
    }, delay)
  }

  stop(): void {
    this.stopped = true
    this.failPendingAcks()
    this.socket?.disconnect()
    this.socket = null
    this.setState('idle')
  }

  /**
   * Emits with an ack; rejects on timeout, when not connected, or as soon as the
   * connection drops (callers then fall back to REST with the same idempotency key).
   */
  request<T>(event: string, payload: unknown, timeoutMs = 8000): Promise<T> {
    const sock = this.socket
    if (!sock || !this.isOnline) return Promise.reject(new Error('offline'))
    return new Promise<T>((resolve, reject) => {
      this.pendingAcks.add(reject)
      sock
        .timeout(timeoutMs)
        .emitWithAck(event, payload)
        .then((v) => resolve(v as T), reject)
        .finally(() => this.pendingAcks.delete(reject))
    })
  }

  private failPendingAcks(): void {
    const list = [...this.pendingAcks]
    this.pendingAcks.clear()
    list.forEach((r) => r(new Error('disconnected')))
  }

  emit(event: string, payload: unknown): void {
    if (this.socket && this.isOnline) this.socket.emit(event, payload)
  }

  /** The browser says the network is gone: drop the transport now instead of waiting for a ping timeout. */
  drop(): void {
    if (!this.socket || this.stopped) return
    this.socket.disconnect()
    this.setState('reconnecting')
  }

  /** The network is back: reconnect at once rather than after the backoff delay. */
  reconnectNow(): void {
    if (!this.socket || this.stopped || this.socket.connected) return
    this.attempts = 0
    this.setState('reconnecting')
    this.socket.disconnect()
    this.socket.connect()
  }
}
