import type { Bus, BusMessage } from './bus'
import type { Device, Envelope, TokenPair } from './types'

export class ApiError extends Error {
  readonly status: number
  readonly retryAfter: number | null
  constructor(status: number, message: string, retryAfter: number | null = null) {
    super(message)
    this.status = status
    this.retryAfter = retryAfter
  }
}

/**
 * Known server messages (the contract's English texts) → i18n keys, so the UI can say them in
 * the user's language. First match wins; unknown messages have no key.
 */
const SERVER_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/^Invalid password or email$/, 'error.invalidCredentials'],
  [/^You need to confirm your email$/, 'error.notConfirmed'],
  [/^Email .* already in use$/, 'error.emailInUse'],
  [/^Wrong password$/, 'error.wrongPassword'],
  [/^(Receiver )?[Uu]ser not found$|^Account not found$/, 'error.userNotFound'],
  [/^Message not found$/, 'error.messageNotFound'],
  [/^Session not found$/, 'error.sessionNotFound'],
  [/^Invalid (confirm email|change email|reset password) link$/, 'error.invalidLink'],
  [/^Session has ended$|^Refresh token verify failed$|^session-ended$/, 'error.sessionEnded'],
  [/^Too many requests/, 'error.tooMany'],
  [/^(Server busy|Too many messages in flight)/, 'error.busy'],
  [/contains invalid characters$/, 'error.invalidChars'],
  [/^(new)?[Nn]ame must be/, 'error.name'],
  [/^(new|old)?[Pp]assword must be/, 'error.password'],
  [/^(new)?[Ee]mail must be/, 'error.email'],
  [/^(new)?[Bb]io must be/, 'error.bio'],
  [/^message (must be|is required)/, 'error.message'],
  [/^(Only the receiver|You can only change)/, 'error.forbidden'],
]

/** The i18n key of a known server error (by its message, or its status for 429/503), else null. */
export function serverErrorKey(e: ApiError): string | null {
  for (const [re, key] of SERVER_MESSAGES) if (re.test(e.message)) return key
  if (e.status === 429) return 'error.tooMany'
  if (e.status === 503) return 'error.busy'
  return null
}

export interface LockLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>
}

export interface HttpDeps {
  fetch: typeof fetch
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
  device: Device
  bus?: Bus
  /** Web Locks (navigator.locks) make the refresh single-flight across tabs. */
  locks?: LockLike
  baseUrl?: string
  /** How long to wait for another tab to broadcast the token it just obtained. */
  peerTokenWaitMs?: number
}

export const REFRESH_KEY = 'parley.auth'
export const SESSION_ENDED = 'session-ended'

interface SavedAuth {
  userID: number
  refreshToken: string
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RequestOptions {
  /** false for public endpoints: no bearer, no refresh. */
  auth?: boolean
  signal?: AbortSignal
}

/**
 * HTTP client of the contract. Access token lives only in memory; the refresh
 * token in localStorage. A 401 triggers ONE refresh (shared by concurrent
 * callers in this tab and, via Web Locks, serialised with other tabs), then
 * the request is retried once. A failed refresh signs the user out.
 */
export class HttpClient {
  private accessToken: string | null = null
  private userID: number | null = null
  /** Refresh token this tab last knew to be current (to detect rotation by another tab). */
  private knownRefresh: string | null = null
  private inflight: Promise<boolean> | null = null
  private tokenWaiters = new Set<() => void>()
  private readonly deps: HttpDeps

  /** Called whenever this tab signs out (locally, on refresh failure, or because another tab did). */
  onSignedOut: (reason: string | null, fromOtherTab: boolean) => void = () => {}
  /** Called when tokens change (own refresh, sign-in, or broadcast from another tab). */
  onTokens: (userID: number, fromOtherTab: boolean) => void = () => {}

  constructor(deps: HttpDeps) {
    this.deps = deps
    deps.bus?.subscribe((m) => this.onBus(m))
    const saved = this.saved()
    if (saved) {
      this.userID = saved.userID
      this.knownRefresh = saved.refreshToken
    }
  }

  get token(): string | null {
    return this.accessToken
  }

  get currentUserID(): number | null {
    return this.userID
  }

  hasSavedSession(): boolean {
    return this.saved() !== null
  }

  private saved(): SavedAuth | null {
    try {
      const raw = this.deps.storage.getItem(REFRESH_KEY)
      if (!raw) return null
      const v = JSON.parse(raw) as SavedAuth
      return typeof v.userID === 'number' && typeof v.refreshToken === 'string' ? v : null
    } catch {
      return null
    }
  }

  /** Stores a fresh token pair (after login or refresh) and tells the other tabs. */
  setTokens(t: TokenPair): void {
    this.accessToken = t.accessToken
    this.userID = t.userID
    this.knownRefresh = t.refreshToken
    this.deps.storage.setItem(REFRESH_KEY, JSON.stringify({ userID: t.userID, refreshToken: t.refreshToken }))
    this.deps.bus?.post({ type: 'tokens', userID: t.userID, accessToken: t.accessToken })
    this.wakeWaiters()
    this.onTokens(t.userID, false)
  }

  /** Forgets all tokens here and in the other tabs. */
  signOut(reason: string | null): void {
    this.clearLocal()
    this.deps.bus?.post({ type: 'signed-out', reason })
    this.onSignedOut(reason, false)
  }

  private clearLocal(): void {
    this.accessToken = null
    this.userID = null
    this.knownRefresh = null
    this.deps.storage.removeItem(REFRESH_KEY)
  }

  private onBus(m: BusMessage): void {
    if (m.type === 'tokens') {
      this.accessToken = m.accessToken
      this.userID = m.userID
      this.knownRefresh = this.saved()?.refreshToken ?? null
      this.wakeWaiters()
      this.onTokens(m.userID, true)
    } else if (m.type === 'signed-out') {
      this.accessToken = null
      this.userID = null
      this.knownRefresh = null
      this.onSignedOut(m.reason, true)
    }
  }

  private wakeWaiters(): void {
    const ws = [...this.tokenWaiters]
    this.tokenWaiters.clear()
    ws.forEach((w) => w())
  }

  private waitForPeerToken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.tokenWaiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.tokenWaiters.add(done)
    })
  }

  /**
   * Obtains a new access token. `failedToken` is the token that just got a 401
   * (or null if we had none): if the current token already differs, someone
   * else refreshed meanwhile and we are done. Resolves true when a usable
   * token is in memory; false means the user has been signed out.
   */
  refresh(failedToken: string | null = this.accessToken): Promise<boolean> {
    if (this.inflight) return this.inflight
    const run = () => this.refreshExclusive(failedToken)
    const p = (this.deps.locks ? this.deps.locks.request('parley-token-refresh', run) : run()).finally(() => {
      this.inflight = null
    })
    this.inflight = p
    return p
  }

  private async refreshExclusive(failedToken: string | null): Promise<boolean> {
    if (this.accessToken && this.accessToken !== failedToken) return true
    let saved = this.saved()
    if (!saved) {
      // nothing to refresh with: only announce a sign-out if we still thought we were signed in
      const wasSignedIn = this.userID !== null || this.accessToken !== null
      this.clearLocal()
      if (wasSignedIn) this.onSignedOut(SESSION_ENDED, false)
      return false
    }
    if (this.knownRefresh !== null && saved.refreshToken !== this.knownRefresh) {
      // Another tab rotated the pair while we waited for the lock: take its access token.
      await this.waitForPeerToken(this.deps.peerTokenWaitMs ?? 1500)
      if (this.accessToken && this.accessToken !== failedToken) return true
      saved = this.saved()
      if (!saved) return false
    }
    let res: Response
    try {
      res = await this.deps.fetch(this.url('/api/auth/refresh-token'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          userID: saved.userID,
          refreshToken: saved.refreshToken,
          os: this.deps.device.os,
          browser: this.deps.device.browser,
        }),
      })
    } catch {
      throw new ApiError(0, 'network')
    }
    if (res.ok) {
      const env = (await res.json()) as Envelope<TokenPair>
      if (env.data) {
        this.setTokens(env.data)
        return true
      }
    }
    if (res.status >= 500 || res.status === 429) {
      throw new ApiError(res.status, 'refresh temporarily failed')
    }
    // While our refresh was in flight this tab (or another) may have signed out or
    // rotated the pair itself: then that outcome stands and we do not sign out again.
    const now = this.saved()
    if (!now) return false
    if (now.refreshToken !== saved.refreshToken) return this.accessToken !== null && this.accessToken !== failedToken
    this.signOut(SESSION_ENDED)
    return false
  }

  private url(path: string): string {
    return (this.deps.baseUrl ?? '') + path
  }

  async request<T>(method: Method, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth !== false
    if (auth && !this.accessToken) {
      const ok = await this.refresh(null)
      if (!ok) throw new ApiError(401, SESSION_ENDED)
    }
    let used = this.accessToken
    let res = await this.send(method, path, body, auth ? used : null, opts.signal)
    if (auth && res.status === 401) {
      const ok = await this.refresh(used)
      if (!ok) throw new ApiError(401, SESSION_ENDED)
      used = this.accessToken
      res = await this.send(method, path, body, used, opts.signal)
    }
    return this.unwrap<T>(res)
  }

  private async send(
    method: Method,
    path: string,
    body: unknown,
    token: string | null,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = {}
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (token) headers.authorization = `Bearer ${token}`
    try {
      return await this.deps.fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e
      throw new ApiError(0, 'network')
    }
  }

  private async unwrap<T>(res: Response): Promise<T> {
    let env: Envelope<T> | null = null
    try {
      env = (await res.json()) as Envelope<T>
    } catch {
      env = null
    }
    if (!res.ok) {
      const ra = res.headers?.get?.('retry-after')
      throw new ApiError(res.status, env?.message || res.statusText || `HTTP ${res.status}`, ra ? Number(ra) : null)
    }
    return (env?.data ?? undefined) as T
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, undefined, opts)
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, body ?? {}, opts)
  }
  put<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, body ?? {}, opts)
  }
  del<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, body, opts)
  }
}
