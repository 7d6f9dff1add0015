import { beforeEach, describe, expect, it, vi } from 'vitest'
import { store } from '../../app/store'
import { initDrafts, readDrafts } from './drafts'

describe('drafts', () => {
  beforeEach(() => {
    localStorage.clear()
    store.getState().signedOut(null)
  })

  it('reads only numeric keys with text from storage', () => {
    expect(readDrafts('{"2":"hi","x":"no","3":"","4":5}')).toEqual({ 2: 'hi' })
    expect(readDrafts('not json')).toEqual({})
    expect(readDrafts(null)).toEqual({})
  })

  it('persists per user, restores on sign-in, follows other tabs and is wiped on sign-out', () => {
    vi.useFakeTimers()
    initDrafts()
    store.getState().signedIn(7)
    store.getState().setDraft(2, 'unsent words')
    vi.advanceTimersByTime(400)
    expect(JSON.parse(localStorage.getItem('parley.drafts.7')!)).toEqual({ 2: 'unsent words' })

    store.getState().signedOut(null)
    expect(localStorage.getItem('parley.drafts.7')).toBeNull()

    localStorage.setItem('parley.drafts.7', '{"2":"from before"}')
    store.getState().signedIn(7)
    expect(store.getState().drafts).toEqual({ 2: 'from before' })

    window.dispatchEvent(new StorageEvent('storage', { key: 'parley.drafts.7', newValue: '{"2":"typed in another tab"}' }))
    expect(store.getState().drafts).toEqual({ 2: 'typed in another tab' })
    vi.useRealTimers()
  })
})
