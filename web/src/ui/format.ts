// Date helpers (pure; locale passed in).

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

export function timeOf(iso: string, locale: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
}

/** Dialog-list stamp: time today, weekday this week, else a short date. */
export function shortStamp(iso: string, locale: string, now = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  if (sameDay(d, now)) return timeOf(iso, locale)
  const days = (now.getTime() - d.getTime()) / 86400000
  if (days < 6) return d.toLocaleDateString(locale, { weekday: 'short' })
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short', ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) })
}

export function dayLabel(iso: string, locale: string, today: string, yesterday: string, now = new Date()): string {
  const d = new Date(iso)
  if (sameDay(d, now)) return today
  const y = new Date(now)
  y.setDate(now.getDate() - 1)
  if (sameDay(d, y)) return yesterday
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'long', ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) })
}

export function dateTime(iso: string, locale: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
}

/** The full date and time, for a timestamp's tooltip. */
export function fullDate(iso: string, locale: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleString(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** Local calendar day of an ISO time, as a stable key (yyyy-m-d). */
export function dayKey(iso: string): string {
  const d = new Date(iso)
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`
}

/** Shortens IPv6 addresses the canonical way (0:0:0:0:0:0:0:1 → ::1). */
export function prettyIp(ip: string): string {
  if (!ip || !ip.includes(':') || ip.includes('::')) return ip
  const parts = ip.split(':').map((p) => p.replace(/^0+(?=.)/, ''))
  let best = -1
  let len = 0
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < parts.length && parts[j] === '0') j++
    if (j - i > len) [best, len] = [i, j - i]
    i = j
  }
  if (len < 2) return parts.join(':')
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + len).join(':')}`
}
