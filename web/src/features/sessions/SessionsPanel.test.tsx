import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Session } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'
import { fakeApi } from '../../test/fakeApi'
import { SessionsPanel } from './SessionsPanel'

const session = (p: Partial<Session>): Session => ({
  sessionID: 'a',
  os: 'Linux',
  browser: 'Firefox',
  ip: '203.0.113.7',
  createdAt: '2026-11-30T10:00:00Z',
  lastUsedAt: '2026-11-30T10:00:00Z',
  current: false,
  ...p,
})

let api: ReturnType<typeof fakeApi>
let live: Session[]
beforeEach(() => {
  api = fakeApi()
  live = [session({ sessionID: 'phone', os: 'Android', browser: 'Chrome', lastUsedAt: '2026-11-30T09:00:00Z' }), session({ sessionID: 'here', current: true }), session({ sessionID: 'old', os: 'Windows', browser: 'Edge', lastUsedAt: '2026-11-29T09:00:00Z' })]
  api.on('GET', /^\/api\/session$/, () => live)
  api.on('DELETE', /^\/api\/session\/[^/?]+$/, (c) => {
    live = live.filter((s) => `/api/session/${s.sessionID}` !== c.path)
  })
  api.on('DELETE', /^\/api\/session\?scope=others$/, () => {
    live = live.filter((s) => s.current)
  })
  http.setTokens({ userID: 1, accessToken: 'access', refreshToken: 'refresh' })
  act(() => {
    store.getState().signedOut(null)
    store.getState().signedIn(1)
    store.getState().setSessions(null)
    store.getState().setLang('en')
  })
})
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const rows = () => within(screen.getByTestId('sessions')).getAllByRole('listitem')

describe('SessionsPanel', () => {
  it('lists this device first, then by last use, and offers "Sign out" only for the others', async () => {
    render(<SessionsPanel />)
    await waitFor(() => expect(rows()).toHaveLength(3))
    const [first, second, third] = rows()
    expect(within(first).getByText('This device')).toBeTruthy()
    expect(within(first).queryByRole('button', { name: 'Sign out' })).toBeNull()
    expect(within(second).getByText(/Chrome · Android/)).toBeTruthy()
    expect(within(third).getByText(/Edge · Windows/)).toBeTruthy()
    expect(within(second).getByRole('button', { name: 'Sign out' })).toBeTruthy()
  })

  it('signing out one session removes it from the list', async () => {
    render(<SessionsPanel />)
    await waitFor(() => expect(rows()).toHaveLength(3))
    act(() => within(rows()[1]).getByRole('button', { name: 'Sign out' }).click())
    await waitFor(() => expect(rows()).toHaveLength(2))
    expect(api.calls.some((c) => c.method === 'DELETE' && c.path === '/api/session/phone')).toBe(true)
    expect(screen.queryByText(/Chrome · Android/)).toBeNull()
  })

  it('"Sign out all other sessions" leaves only this device, and disappears then', async () => {
    render(<SessionsPanel />)
    await waitFor(() => expect(rows()).toHaveLength(3))
    act(() => screen.getByRole('button', { name: 'Sign out all other sessions' }).click())
    await waitFor(() => expect(rows()).toHaveLength(1))
    expect(within(rows()[0]).getByText('This device')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Sign out all other sessions' })).toBeNull()
  })

  it('a failed sign-out says why, in the interface language', async () => {
    render(<SessionsPanel />)
    await waitFor(() => expect(rows()).toHaveLength(3))
    api.on('DELETE', /^\/api\/session\//, () => {
      throw new TypeError('network down')
    })
    act(() => store.getState().setLang('ru'))
    act(() => within(rows()[1]).getByRole('button', { name: 'Завершить' }).click())
    await waitFor(() => expect(store.getState().toasts.map((t) => t.text)).toContain('Нет связи с сервером. Проверьте подключение.'))
    expect(rows()).toHaveLength(3)
  })
})
