// @vitest-environment node
import { describe, expect, it, vi } from 'vitest'
import { createMemoryBusPair } from './bus'
import { ApiError, HttpClient, REFRESH_KEY, SESSION_ENDED, type LockLike } from './http'

const device = { os: 'Linux', browser: 'Chrome' }

function memoryStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init))
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  }
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** A fake server: access tokens a<N>, refresh tokens r<N>; only the newest pair is valid. */
function fakeServer(opts: { refreshFails?: boolean; refreshDelayMs?: number } = {}) {
  let gen = 1
  const calls: { path: string; auth: string | null; body: unknown }[] = []
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const path = String(url)
    const auth = (init?.headers as Record<string, string> | undefined)?.authorization ?? null
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ path, auth, body })
    if (path === '/api/auth/refresh-token') {
      if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs))
      if (opts.refreshFails || body.refreshToken !== `r${gen}`) return json(401, { statusCode: 401, message: 'Refresh token verify failed', error: 'Unauthorized' })
      gen++
      return json(200, { statusCode: 200, message: 'ok', data: { userID: 7, accessToken: `a${gen}`, refreshToken: `r${gen}` } })
    }
    if (auth !== `Bearer a${gen}`) return json(401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' })
    return json(200, { statusCode: 200, message: 'ok', data: { path, token: auth } })
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, refreshCalls: () => calls.filter((c) => c.path === '/api/auth/refresh-token') }
}

/** Web-Locks-like exclusive lock shared by "tabs". */
function fakeLocks(): LockLike {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    request<T>(_name: string, cb: () => Promise<T>) {
      const run = tail.then(cb, cb)
      tail = run.catch(() => {})
      return run
    },
  }
}

describe('HttpClient refresh', () => {
  it('concurrent 401s trigger exactly one refresh, then every request is retried with the new token', async () => {
    const server = fakeServer({ refreshDelayMs: 10 })
    const storage = memoryStorage({ [REFRESH_KEY]: JSON.stringify({ userID: 7, refreshToken: 'r1' }) })
    const http = new HttpClient({ fetch: server.fetch, storage, device })
    http.setTokens({ userID: 7, accessToken: 'stale', refreshToken: 'r1' })

    const results = await Promise.all([http.get<{ token: string }>('/api/dialog'), http.get<{ token: string }>('/api/user/me'), http.get<{ token: string }>('/api/session')])

    expect(server.refreshCalls()).toHaveLength(1)
    expect(server.refreshCalls()[0].body).toEqual({ userID: 7, refreshToken: 'r1', os: 'Linux', browser: 'Chrome' })
    expect(results.map((r) => r.token)).toEqual(['Bearer a2', 'Bearer a2', 'Bearer a2'])
    // the rotated refresh token is persisted, the access token is not
    expect(JSON.parse(storage.map.get(REFRESH_KEY)!)).toEqual({ userID: 7, refreshToken: 'r2' })
    expect([...storage.map.values()].join()).not.toContain('a2')
  })

  it('refresh failure signs the user out and rejects every waiting request', async () => {
    const server = fakeServer({ refreshFails: true })
    const storage = memoryStorage({ [REFRESH_KEY]: JSON.stringify({ userID: 7, refreshToken: 'r1' }) })
    const http = new HttpClient({ fetch: server.fetch, storage, device })
    http.setTokens({ userID: 7, accessToken: 'stale', refreshToken: 'r1' })
    const signedOut = vi.fn()
    http.onSignedOut = signedOut

    const results = await Promise.allSettled([http.get('/api/dialog'), http.get('/api/user/me')])

    expect(results.every((r) => r.status === 'rejected' && (r.reason as ApiError).status === 401)).toBe(true)
    expect(server.refreshCalls()).toHaveLength(1)
    expect(signedOut).toHaveBeenCalledTimes(1)
    expect(signedOut).toHaveBeenCalledWith(SESSION_ENDED, false)
    expect(storage.map.has(REFRESH_KEY)).toBe(false)
    expect(http.token).toBeNull()
  })

  it('two tabs hitting 401 at once share one refresh through the lock and the bus', async () => {
    const server = fakeServer({ refreshDelayMs: 10 })
    const storage = memoryStorage({ [REFRESH_KEY]: JSON.stringify({ userID: 7, refreshToken: 'r1' }) })
    const locks = fakeLocks()
    const [busA, busB] = createMemoryBusPair()
    const tabA = new HttpClient({ fetch: server.fetch, storage, device, locks, bus: busA })
    const tabB = new HttpClient({ fetch: server.fetch, storage, device, locks, bus: busB })
    tabA.setTokens({ userID: 7, accessToken: 'stale', refreshToken: 'r1' })
    await Promise.resolve() // let tab B receive the broadcast
    expect(tabB.token).toBe('stale')

    const [a, b] = await Promise.all([tabA.get<{ token: string }>('/api/dialog'), tabB.get<{ token: string }>('/api/dialog')])

    expect(server.refreshCalls()).toHaveLength(1)
    expect(a.token).toBe('Bearer a2')
    expect(b.token).toBe('Bearer a2')
  })

  it('sign-out in one tab signs the other tab out', async () => {
    const storage = memoryStorage()
    const [busA, busB] = createMemoryBusPair()
    const server = fakeServer()
    const tabA = new HttpClient({ fetch: server.fetch, storage, device, bus: busA })
    const tabB = new HttpClient({ fetch: server.fetch, storage, device, bus: busB })
    const outB = vi.fn()
    tabB.onSignedOut = outB
    tabA.setTokens({ userID: 7, accessToken: 'a1', refreshToken: 'r1' })
    await Promise.resolve()
    expect(tabB.token).toBe('a1')
    tabA.signOut(null)
    await Promise.resolve()
    expect(outB).toHaveBeenCalledWith(null, true)
    expect(tabB.token).toBeNull()
  })

  it('surfaces the envelope message and Retry-After of errors', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ statusCode: 429, message: 'Too many requests', error: 'Too Many Requests' }), { status: 429, headers: { 'retry-after': '12' } }))
    const http = new HttpClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage: memoryStorage(), device })
    const err = (await http.post('/api/user/check-email', { email: 'x@y' }, { auth: false }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(429)
    expect(err.message).toBe('Too many requests')
    expect(err.retryAfter).toBe(12)
  })
})

describe('HttpClient sign-out races', () => {
  it('a refresh that fails after the user already signed out does not overwrite the sign-out reason', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const fetch = vi.fn(async () => {
      await gate
      return json(401, { statusCode: 401, message: 'Refresh token verify failed' })
    })
    const storage = memoryStorage()
    const http = new HttpClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage, device })
    http.setTokens({ userID: 7, accessToken: 'a1', refreshToken: 'r1' })
    const reasons: (string | null)[] = []
    http.onSignedOut = (r) => reasons.push(r)
    const refreshing = http.refresh('a1')
    http.signOut('Password changed')
    release()
    expect(await refreshing).toBe(false)
    expect(reasons).toEqual(['Password changed'])
  })
})
