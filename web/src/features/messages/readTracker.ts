import { useEffect, useRef, type RefObject } from 'react'
import { store } from '../../app/store'
import { markSeenUpTo } from './messageService'

/** How long the view collects what came into sight before reporting it (one request per pause). */
const REPORT_AFTER_MS = 250

/**
 * The read watermark follows what the user actually saw: unread incoming messages (marked
 * `data-unread` in the list) count as seen once at least half of one is inside the scroll
 * container while the page is visible; the highest such id is reported (the server marks
 * everything up to it). Messages that arrive while the user is scrolled up stay unread until
 * they are scrolled into view.
 */
export function useReadTracker(root: RefObject<HTMLElement | null>, peerID: number, active: boolean): void {
  const observer = useRef<IntersectionObserver | null>(null)

  useEffect(() => {
    const el = root.current
    if (!el || !active || typeof IntersectionObserver === 'undefined') return
    const onScreen = new Set<number>()
    let timer: ReturnType<typeof setTimeout> | null = null
    const report = () => {
      timer = null
      if (!store.getState().visible || onScreen.size === 0) return
      const upTo = Math.max(...onScreen)
      onScreen.clear()
      void markSeenUpTo(peerID, upTo)
    }
    const schedule = () => {
      timer ??= setTimeout(report, REPORT_AFTER_MS)
    }
    const io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const node = e.target as HTMLElement
          const id = Number(node.dataset.id)
          // a message taller than the view counts once it fills half of it
          const seen = e.isIntersecting && (e.intersectionRatio >= 0.5 || (!!e.rootBounds && e.intersectionRect.height >= e.rootBounds.height / 2))
          if (seen && node.dataset.unread && id > 0) onScreen.add(id)
          else onScreen.delete(id)
        }
        if (onScreen.size) schedule()
      },
      { root: el, threshold: [0, 0.5, 1] },
    )
    observer.current = io
    el.querySelectorAll<HTMLElement>('[data-unread]').forEach((n) => io.observe(n))
    // what stayed on screen while the tab was hidden counts once it is visible again
    const unsubscribe = store.subscribe((s, p) => {
      if (s.visible && !p.visible && onScreen.size) schedule()
    })
    return () => {
      io.disconnect()
      observer.current = null
      unsubscribe()
      if (timer) clearTimeout(timer)
    }
  }, [root, peerID, active])

  // after every render: watch the unread messages that appeared (observe() ignores repeats)
  useEffect(() => {
    const io = observer.current
    root.current?.querySelectorAll<HTMLElement>('[data-unread]').forEach((n) => io?.observe(n))
  })
}
