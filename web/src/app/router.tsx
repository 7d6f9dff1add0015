import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

// A tiny history router: the app has a handful of flat routes, so a routing
// library would only add weight.

const listeners = new Set<() => void>()
const notify = () => listeners.forEach((l) => l())
if (typeof window !== 'undefined') window.addEventListener('popstate', notify)

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return
  if (opts.replace) history.replaceState(null, '', to)
  // each entry remembers where it came from, so "back" can return to it instead of piling up
  else history.pushState({ prev: location.pathname + location.search }, '', to)
  notify()
}

/** Back to `to`: the previous history entry when that is where we came from, else a replace. */
export function goBack(to: string): void {
  const prev = (history.state as { prev?: string } | null)?.prev
  if (prev === to) history.back()
  else navigate(to, { replace: true })
}

function subscribe(l: () => void) {
  listeners.add(l)
  return () => listeners.delete(l)
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search)
  const url = new URL(href, 'http://x')
  return { path: url.pathname, query: url.searchParams }
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={handle} {...rest} />
}
