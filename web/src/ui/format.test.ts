import { describe, expect, it } from 'vitest'
import { dayLabel, prettyIp, shortStamp } from './format'

describe('format', () => {
  it('compresses IPv6 and leaves IPv4 alone', () => {
    expect(prettyIp('0:0:0:0:0:0:0:1')).toBe('::1')
    expect(prettyIp('2001:db8:0:0:0:0:2:1')).toBe('2001:db8::2:1')
    expect(prettyIp('127.0.0.1')).toBe('127.0.0.1')
    expect(prettyIp('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1')
  })
  it('labels days and stamps relative to now', () => {
    const now = new Date(2026, 10, 26, 12, 0)
    expect(dayLabel(new Date(2026, 10, 26, 9).toISOString(), 'en-GB', 'Today', 'Yesterday', now)).toBe('Today')
    expect(dayLabel(new Date(2026, 10, 25, 23).toISOString(), 'en-GB', 'Today', 'Yesterday', now)).toBe('Yesterday')
    expect(dayLabel(new Date(2026, 10, 20).toISOString(), 'en-GB', 'Today', 'Yesterday', now)).toBe('20 November')
    expect(shortStamp(new Date(2026, 10, 26, 9, 5).toISOString(), 'en-GB', now)).toBe('09:05')
  })
})
