import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { localeOf, useT } from '../../app/i18n'
import { store, useStore, type ChatMessage } from '../../app/store'
import { dayKey, dayLabel } from '../../ui/format'
import { Icon } from '../../ui/ui'
import { Bubble, type MenuAt } from './Bubble'
import { MessageMenu, type MenuItem } from './MessageMenu'
import { deleteMessage, loadOlder } from './messageService'
import { useReadTracker } from './readTracker'

const EMPTY: ChatMessage[] = []
/** Closer than this to the bottom counts as "at the bottom": new messages keep the view there. */
const AT_BOTTOM = 80
/** Further than this from the bottom shows the "jump to latest" button. */
const AWAY = 160
/** Room left above the unread divider for the sticky day chip. */
const DIVIDER_MARGIN = 44

interface Day {
  key: string
  iso: string
  items: ChatMessage[]
}

/** Messages grouped by local day: each day is a section whose date chip sticks only within it. */
function byDay(messages: ChatMessage[]): Day[] {
  const days: Day[] = []
  for (const m of messages) {
    const key = dayKey(m.createdAt)
    const last = days.at(-1)
    if (last && last.key === key) last.items.push(m)
    else days.push({ key, iso: m.createdAt, items: [m] })
  }
  return days
}

export function MessageList({ peerID, name, onEdit }: { peerID: number; name: string; onEdit: (m: ChatMessage) => void }) {
  const t = useT()
  const conv = useStore((s) => s.conversations[peerID])
  const me = useStore((s) => s.userID)
  const lang = useStore((s) => s.lang)
  const messages = conv?.messages ?? EMPTY
  // a cached conversation is already loaded: wait for this visit's open (it decides the divider)
  const [openedBefore] = useState(() => store.getState().conversations[peerID]?.opened ?? 0)
  const ready = !!conv?.loaded && !conv.opening && (conv.opened ?? 0) > openedBefore
  const unreadFrom = conv?.unreadFrom ?? null
  const ref = useRef<HTMLDivElement>(null)
  const fromBottom = useRef(0)
  /** the view's height as last handled: a scroll while it differs is the browser clamping, not the user */
  const viewHeight = useRef(0)
  const positioned = useRef(false)
  const prev = useRef({ firstKey: null as string | null, lastKey: null as string | null, count: 0, height: 0 })
  const [away, setAway] = useState(false)
  const [unseen, setUnseen] = useState(0)
  const [announcement, setAnnouncement] = useState('')
  const [menu, setMenu] = useState<{ m: ChatMessage; at: MenuAt } | null>(null)

  const remember = (el: HTMLElement) => {
    fromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight
    prev.current.height = el.scrollHeight
  }

  // Position once the messages up to the first unread are here; afterwards keep the view
  // anchored: at the bottom for new messages when it was there, in place when older ones arrive.
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const p = prev.current
    const firstKey = messages[0]?.key ?? null
    const lastKey = messages.at(-1)?.key ?? null
    if (!positioned.current) {
      if (ready) {
        positioned.current = true
        const divider = el.querySelector<HTMLElement>('[data-testid=unread-divider]')
        if (divider) el.scrollTop += divider.getBoundingClientRect().top - el.getBoundingClientRect().top - DIVIDER_MARGIN
        else el.scrollTop = el.scrollHeight
        remember(el)
        setAway(fromBottom.current > AWAY)
      }
    } else {
      const prepended = p.firstKey !== null && firstKey !== p.firstKey && messages.length > p.count && lastKey === p.lastKey
      const at = p.lastKey === null ? -1 : messages.findIndex((m) => m.key === p.lastKey)
      const added = messages.length > p.count && lastKey !== p.lastKey ? messages.slice(at + 1) : []
      const wasAtBottom = fromBottom.current < AT_BOTTOM
      if (prepended) {
        el.scrollTop += el.scrollHeight - p.height
      } else if (wasAtBottom || added.at(-1)?.senderID === me) {
        el.scrollTop = el.scrollHeight
        setUnseen(0)
      } else {
        const incoming = added.filter((m) => m.senderID !== me).length
        if (incoming) setUnseen((n) => n + incoming)
      }
      const lastIncoming = added.filter((m) => m.senderID !== me).at(-1)
      if (lastIncoming) setAnnouncement(t('msg.announce', { name, text: lastIncoming.message }))
      remember(el)
      setAway(fromBottom.current > AWAY)
    }
    p.firstKey = firstKey
    p.lastKey = lastKey
    p.count = messages.length
    // t and name only word the announcement
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [messages, me, ready])

  // the composer growing or the edit bar opening shrinks the view: keep the same distance from
  // the bottom, so the newest message stays in sight
  useEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver === 'undefined') return
    viewHeight.current = el.clientHeight
    const ro = new ResizeObserver(() => {
      if (el.clientHeight === viewHeight.current) return
      viewHeight.current = el.clientHeight
      el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  useReadTracker(ref, peerID, ready)

  const onScroll = () => {
    const el = ref.current
    if (!el) return
    // the composer measures itself by collapsing for a moment, which clamps scrollTop; the
    // resize handler restores the distance from the bottom, so do not learn it from that
    if (viewHeight.current && el.clientHeight !== viewHeight.current) return
    remember(el)
    setAway(fromBottom.current > AWAY)
    if (fromBottom.current < AT_BOTTOM) setUnseen(0)
    if (positioned.current && el.scrollTop < 200) void loadOlder(peerID)
  }

  // a short first page may not fill the view: keep loading until it scrolls
  useEffect(() => {
    const el = ref.current
    if (el && ready && conv?.hasMore && !conv.loadingOlder && el.scrollHeight <= el.clientHeight + 10) void loadOlder(peerID)
  }, [ready, conv?.hasMore, conv?.loadingOlder, peerID, messages.length])

  const jump = () => {
    const el = ref.current
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' })
    setUnseen(0)
  }

  const openMenu = useCallback((m: ChatMessage, at: MenuAt) => setMenu({ m, at }), [])
  const closeMenu = useCallback(() => setMenu(null), [])
  const menuItems = (m: ChatMessage): MenuItem[] => [
    { label: t('msg.edit'), run: () => onEdit(m) },
    {
      label: t('msg.copy'),
      run: () => {
        navigator.clipboard?.writeText(m.message).then(
          () => store.getState().toast('success', t('msg.copied')),
          () => {},
        )
      },
    },
    {
      label: t('msg.delete'),
      danger: true,
      run: () => {
        if (confirm(t('msg.deleteConfirm'))) void deleteMessage(m)
      },
    },
  ]

  const locale = localeOf(lang)
  const days = useMemo(() => byDay(messages), [messages])
  const theirName = `${name}:`
  const mine = t('ws.you').trim()
  return (
    <div className="messages-wrap">
      <div
        className="messages"
        ref={ref}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-label={t('msg.log', { name })}
        tabIndex={0}
        data-testid="messages"
      >
        <div className="messages-inner">
          {conv?.loadingOlder ? <p className="loading-older">{t('msg.loadingOlder')}</p> : null}
          {conv?.loaded && messages.length === 0 ? <p className="empty-chat">{t('msg.empty')}</p> : null}
          {days.map((day) => (
            <section className="day" key={day.key} data-testid="day">
              <div className="day-sep" role="separator" aria-label={dayLabel(day.iso, locale, t('msg.today'), t('msg.yesterday'))}>
                <span aria-hidden="true">{dayLabel(day.iso, locale, t('msg.today'), t('msg.yesterday'))}</span>
              </div>
              {day.items.map((m, i) => {
                const before = day.items[i - 1]
                const divider = m.messageID > 0 && m.messageID === unreadFrom
                return (
                  <Fragment key={m.key}>
                    {divider ? (
                      <div className="unread-sep" data-testid="unread-divider">
                        <span>{t('msg.unreadDivider')}</span>
                      </div>
                    ) : null}
                    <Bubble
                      m={m}
                      own={m.senderID === me}
                      author={m.senderID === me ? mine : theirName}
                      grouped={!!before && !divider && before.senderID === m.senderID}
                      locale={locale}
                      peerID={peerID}
                      menuOpen={menu?.m.key === m.key}
                      onMenu={openMenu}
                    />
                  </Fragment>
                )
              })}
            </section>
          ))}
        </div>
      </div>
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
      {away || unseen > 0 ? (
        <button type="button" className="jump" onClick={jump} title={t('msg.jumpLatest')} data-testid="jump-new">
          <Icon name="down" size={20} />
          <span className="sr-only">{t('msg.jumpLatest')}</span>
          {unseen > 0 ? (
            <span className="badge" data-testid="jump-count">
              {unseen}
              <span className="sr-only"> {t('msg.newMessages')}</span>
            </span>
          ) : null}
        </button>
      ) : null}
      {menu ? <MessageMenu at={menu.at} items={menuItems(menu.m)} onClose={closeMenu} /> : null}
    </div>
  )
}
