import { describe, expect, it, vi } from 'vitest'
import { resyncPoint } from './socket'
import { createCursorHistory, createSyncQueue, resyncFrom, syncMissed } from './sync'
import type { Message } from './types'

const msg = (id: number): Message => ({
  messageID: id,
  senderID: 1,
  receiverID: 2,
  message: `m${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  isUpdated: false,
  isReaded: false,
})

describe('sync:required', () => {
  it('reads the point from the payload; anything malformed means "from the start"', () => {
    expect(resyncPoint({ after: 42 })).toBe(42)
    expect(resyncPoint({ after: '42' })).toBe(0)
    expect(resyncPoint({ after: -1 })).toBe(0)
    expect(resyncPoint({ after: 1.5 })).toBe(0)
    expect(resyncPoint({})).toBe(0)
    expect(resyncPoint(undefined)).toBe(0)
  })

  it('syncs from the lower of the own cursor and the server point', () => {
    // live events after the loss moved the cursor past the lost message: the server point wins
    expect(resyncFrom(120, 100)).toBe(100)
    // the client itself is further behind (e.g. it was offline): its cursor wins
    expect(resyncFrom(80, 100)).toBe(80)
    expect(resyncFrom(80, 0)).toBe(0)
  })

  it('fetches a message lost between seen ones, and a merge by id keeps one copy of each', async () => {
    const server = [msg(101), msg(102), msg(103), msg(104)]
    const shown = new Map<number, Message>([101, 103, 104].map((id) => [id, msg(id)])) // 102 was lost
    const fetched: number[] = []
    await syncMissed(
      async (after, limit) => {
        fetched.push(after)
        return server.filter((m) => m.messageID > after).slice(0, limit)
      },
      resyncFrom(104, 101),
      (page) => page.forEach((m) => shown.set(m.messageID, m)),
      2,
    )
    expect(fetched).toEqual([101, 103])
    expect([...shown.keys()].sort((a, b) => a - b)).toEqual([101, 102, 103, 104])
  })
})

describe('createSyncQueue', () => {
  it('runs one sync at a time and merges requests made meanwhile into one more, from the lowest point', async () => {
    const runs: number[] = []
    let release!: () => void
    const run = vi.fn(async (from: number) => {
      runs.push(from)
      if (runs.length === 1) await new Promise<void>((r) => (release = r))
    })
    const q = createSyncQueue(run)
    const first = q.request(50)
    void q.request(40)
    void q.request(45)
    expect(runs).toEqual([50])
    release()
    await first
    expect(runs).toEqual([50, 40])
    await q.request(60)
    expect(runs).toEqual([50, 40, 60])
  })

  it('retries a failed sync from the same point, with growing delays, until it succeeds', async () => {
    const runs: number[] = []
    const waits: number[] = []
    let failures = 2
    const q = createSyncQueue(
      async (from) => {
        runs.push(from)
        if (failures-- > 0) throw new Error('503')
      },
      async (ms) => {
        waits.push(ms)
      },
      1000,
    )
    await q.request(10)
    expect(runs).toEqual([10, 10, 10])
    expect(waits).toEqual([1000, 2000])
  })
})

describe('createCursorHistory', () => {
  it('answers the cursor as it was at a moment, 0 before anything known', () => {
    const h = createCursorHistory()
    h.record(1000, 10)
    h.record(2000, 20)
    h.record(2500, 15) // never goes back
    h.record(3000, 30)
    expect(h.asOf(999)).toBe(0)
    expect(h.asOf(1000)).toBe(10)
    expect(h.asOf(2999)).toBe(20)
    expect(h.asOf(5000)).toBe(30)
  })

  it('forgets old entries but keeps the newest; before anything remembered it answers the floor', () => {
    const h = createCursorHistory(1000)
    h.record(0, 1)
    h.record(5000, 2)
    expect(h.asOf(100)).toBe(0)
    expect(h.asOf(5000)).toBe(2)
    h.setFloor(1)
    expect(h.asOf(100)).toBe(1)
  })
})
