import { memo, useRef, type PointerEvent } from 'react'
import { useT } from '../../app/i18n'
import type { ChatMessage } from '../../app/store'
import { fullDate, timeOf } from '../../ui/format'
import { Icon } from '../../ui/ui'
import { Linkified } from './linkify'
import { retryMessage } from './messageService'

/** Where a message's action menu opens: under its "⋯" button, or at the pointer. */
export type MenuAt = { anchor: HTMLElement } | { x: number; y: number }

const LONG_PRESS_MS = 500

export const Bubble = memo(function Bubble({
  m,
  own,
  author,
  grouped,
  locale,
  peerID,
  menuOpen,
  onMenu,
}: {
  m: ChatMessage
  own: boolean
  /** spoken before the text: "Bob:" or "You:" */
  author: string
  grouped: boolean
  locale: string
  peerID: number
  menuOpen: boolean
  onMenu: (m: ChatMessage, at: MenuAt) => void
}) {
  const t = useT()
  const state = m.status === 'failed' ? 'failed' : m.status === 'pending' ? 'pending' : m.isReaded ? 'read' : 'sent'
  const stateText = t(state === 'read' ? 'msg.read' : state === 'sent' ? 'msg.sent' : state === 'pending' ? 'msg.pending' : 'msg.failed')
  const actionable = own && m.messageID > 0
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | null>(null)

  // iOS Safari fires no contextmenu on a long press: time it ourselves (touch only)
  const onPointerDown = (e: PointerEvent) => {
    if (!actionable || e.pointerType !== 'touch') return
    const { clientX: x, clientY: y } = e
    press.current = { x, y, timer: setTimeout(() => onMenu(m, { x, y }), LONG_PRESS_MS) }
  }
  const cancelPress = (e?: PointerEvent) => {
    const p = press.current
    if (!p) return
    if (e && e.type === 'pointermove' && Math.hypot(e.clientX - p.x, e.clientY - p.y) < 10) return
    clearTimeout(p.timer)
    press.current = null
  }

  return (
    <div
      className={`msg ${own ? 'own' : 'their'} ${grouped ? 'grouped' : ''}`}
      data-testid="message"
      data-state={own ? state : undefined}
      data-id={m.messageID > 0 ? m.messageID : undefined}
      data-unread={!own && m.messageID > 0 && !m.isReaded ? '1' : undefined}
      onContextMenu={
        actionable
          ? (e) => {
              cancelPress()
              e.preventDefault()
              onMenu(m, { x: e.clientX, y: e.clientY })
            }
          : undefined
      }
      onPointerDown={actionable ? onPointerDown : undefined}
      onPointerUp={actionable ? () => cancelPress() : undefined}
      onPointerCancel={actionable ? () => cancelPress() : undefined}
      onPointerMove={actionable ? cancelPress : undefined}
    >
      <div className="bubble">
        <span className="sr-only">{author} </span>
        <span className="msg-text">
          <Linkified text={m.message} />
        </span>
        <span className="msg-meta">
          {m.isUpdated ? <span className="edited">{t('msg.edited')}</span> : null}
          <time dateTime={m.createdAt} title={fullDate(m.createdAt, locale)}>
            {timeOf(m.createdAt, locale)}
          </time>
          {own ? (
            <span className={`tick tick-${state}`} data-testid="tick" title={stateText}>
              <Icon name={state === 'read' ? 'checks' : state === 'sent' ? 'check' : state === 'pending' ? 'clock' : 'alert'} size={15} />
              <span className="sr-only">{stateText}</span>
            </span>
          ) : null}
        </span>
        {actionable ? (
          <button
            type="button"
            className="msg-more"
            aria-label={t('msg.actions')}
            title={t('msg.actions')}
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            onClick={(e) => onMenu(m, { anchor: e.currentTarget })}
            data-testid="msg-more"
          >
            <Icon name="more" size={18} />
          </button>
        ) : null}
      </div>
      {own && m.status === 'failed' && m.clientMessageID ? (
        <button className="retry" onClick={() => retryMessage(peerID, m.clientMessageID!)} data-testid="retry">
          {t('msg.retry')}
        </button>
      ) : null}
    </div>
  )
})
