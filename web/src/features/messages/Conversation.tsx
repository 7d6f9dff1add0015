import { Fragment, memo, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { localeOf, useT } from '../../app/i18n'
import { navigate } from '../../app/router'
import { useStore, type ChatMessage } from '../../app/store'
import { dayLabel, sameDay, timeOf } from '../../ui/format'
import { Avatar, Icon, IconButton } from '../../ui/ui'
import { deleteMessage, editMessage, loadOlder, notifyTyping, openConversation, retryMessage, sendMessage } from './messageService'

const EMPTY: ChatMessage[] = []

export function Conversation({ peerID }: { peerID: number }) {
  const t = useT()
  const name = useStore((s) => s.names[peerID] ?? s.dialogs.find((d) => d.receiverID === peerID)?.receiverName ?? '')
  const presence = useStore((s) => s.dialogs.find((d) => d.receiverID === peerID)?.connectionStatus)
  const typingUntil = useStore((s) => s.typing[peerID] ?? 0)
  const [editing, setEditing] = useState<ChatMessage | null>(null)

  useEffect(() => {
    void openConversation(peerID)
  }, [peerID])

  const status = typingUntil > Date.now() ? t('ws.typing') : presence === 'online' ? t('ws.online') : presence ? t('ws.offline') : ''

  return (
    <section className="conversation" aria-label={name}>
      <header className="conv-head">
        <IconButton label={t('ws.back')} className="only-mobile" onClick={() => navigate('/')}>
          <Icon name="back" />
        </IconButton>
        <Avatar name={name || '?'} id={peerID} size={40} online={presence === 'online'} />
        <div className="conv-title">
          <h2 data-testid="conv-name">{name}</h2>
          <span className={`conv-status ${typingUntil > Date.now() ? 'typing' : presence === 'online' ? 'online' : ''}`} data-testid="conv-status" aria-live="polite">
            {status}
          </span>
        </div>
      </header>
      <MessageList peerID={peerID} onEdit={setEditing} />
      <Composer key={peerID} peerID={peerID} editing={editing} onDoneEditing={() => setEditing(null)} />
    </section>
  )
}

function MessageList({ peerID, onEdit }: { peerID: number; onEdit: (m: ChatMessage) => void }) {
  const t = useT()
  const conv = useStore((s) => s.conversations[peerID])
  const me = useStore((s) => s.userID)
  const lang = useStore((s) => s.lang)
  const messages = conv?.messages ?? EMPTY
  const ref = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const prevHeight = useRef(0)
  const prevFirstKey = useRef<string | null>(null)
  const prevCount = useRef(0)
  const prevLastKey = useRef<string | null>(null)
  const [unseen, setUnseen] = useState(0)

  // keep the view anchored: at the bottom for new messages, in place when older ones are prepended
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const firstKey = messages[0]?.key ?? null
    const prepended = prevFirstKey.current !== null && firstKey !== prevFirstKey.current && messages.length > prevCount.current && messages.at(-1)?.key === prevLastKey.current
    if (prepended) {
      el.scrollTop += el.scrollHeight - prevHeight.current
    } else if (atBottom.current || messages.at(-1)?.senderID === me && messages.length > prevCount.current) {
      el.scrollTop = el.scrollHeight
      atBottom.current = true
    } else if (messages.length > prevCount.current) {
      const added = messages.length - prevCount.current // read now: the updater runs after prevCount moves on
      setUnseen((n) => n + added)
    }
    prevFirstKey.current = firstKey
    prevLastKey.current = messages.at(-1)?.key ?? null
    prevCount.current = messages.length
    prevHeight.current = el.scrollHeight
  }, [messages, me])

  useEffect(() => {
    atBottom.current = true
    setUnseen(0)
  }, [peerID])

  const onScroll = () => {
    const el = ref.current
    if (!el) return
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
    if (atBottom.current && unseen) setUnseen(0)
    prevHeight.current = el.scrollHeight
    if (el.scrollTop < 200) void loadOlder(peerID)
  }

  // a short first page may not fill the view: keep loading until it scrolls
  useEffect(() => {
    const el = ref.current
    if (el && conv?.loaded && conv.hasMore && !conv.loadingOlder && el.scrollHeight <= el.clientHeight + 10) void loadOlder(peerID)
  }, [conv?.loaded, conv?.hasMore, conv?.loadingOlder, peerID, messages.length])

  const jump = () => {
    const el = ref.current
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' })
    setUnseen(0)
  }

  const locale = localeOf(lang)
  return (
    <div className="messages-wrap">
      <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label={t('ws.chats')} tabIndex={0} data-testid="messages">
        <div className="messages-inner">
          {conv?.loadingOlder ? <p className="loading-older">{t('msg.loadingOlder')}</p> : null}
          {conv?.loaded && messages.length === 0 ? <p className="empty-chat">{t('msg.empty')}</p> : null}
          {messages.map((m, i) => {
            const prev = messages[i - 1]
            const newDay = !prev || !sameDay(new Date(prev.createdAt), new Date(m.createdAt))
            const grouped = !!prev && !newDay && prev.senderID === m.senderID
            return (
              <Fragment key={m.key}>
                {newDay ? (
                  <div className="day-sep" role="separator">
                    <span>{dayLabel(m.createdAt, locale, t('msg.today'), t('msg.yesterday'))}</span>
                  </div>
                ) : null}
                <Bubble m={m} own={m.senderID === me} grouped={grouped} locale={locale} onEdit={onEdit} peerID={peerID} />
              </Fragment>
            )
          })}
        </div>
      </div>
      {unseen > 0 ? (
        <button className="jump" onClick={jump} data-testid="jump-new">
          <Icon name="down" size={18} /> {t('msg.newMessages')} <span className="badge">{unseen}</span>
        </button>
      ) : null}
    </div>
  )
}

const Bubble = memo(function Bubble({ m, own, grouped, locale, onEdit, peerID }: { m: ChatMessage; own: boolean; grouped: boolean; locale: string; onEdit: (m: ChatMessage) => void; peerID: number }) {
  const t = useT()
  const state = m.status === 'failed' ? 'failed' : m.status === 'pending' ? 'pending' : m.isReaded ? 'read' : 'sent'
  return (
    <div className={`msg ${own ? 'own' : 'their'} ${grouped ? 'grouped' : ''}`} data-testid="message" data-state={own ? state : undefined} data-id={m.messageID > 0 ? m.messageID : undefined}>
      <div className="bubble">
        <span className="msg-text">{m.message}</span>
        <span className="msg-meta">
          {m.isUpdated ? <span className="edited">{t('msg.edited')}</span> : null}
          <time dateTime={m.createdAt}>{timeOf(m.createdAt, locale)}</time>
          {own ? (
            <span className={`tick tick-${state}`} data-testid="tick" title={t(state === 'read' ? 'msg.read' : state === 'sent' ? 'msg.sent' : state === 'pending' ? 'msg.pending' : 'msg.failed')}>
              <Icon name={state === 'read' ? 'checks' : state === 'sent' ? 'check' : state === 'pending' ? 'clock' : 'alert'} size={15} />
              <span className="sr-only">{t(state === 'read' ? 'msg.read' : state === 'sent' ? 'msg.sent' : state === 'pending' ? 'msg.pending' : 'msg.failed')}</span>
            </span>
          ) : null}
        </span>
      </div>
      {own && m.status === 'failed' && m.clientMessageID ? (
        <button className="retry" onClick={() => retryMessage(peerID, m.clientMessageID!)} data-testid="retry">
          {t('msg.retry')}
        </button>
      ) : null}
      {own && m.messageID > 0 ? (
        <div className="msg-actions" role="group" aria-label={t('msg.actions')}>
          <button onClick={() => onEdit(m)}>{t('msg.edit')}</button>
          <button
            onClick={() => {
              if (confirm(t('msg.deleteConfirm'))) void deleteMessage(m)
            }}
          >
            {t('msg.delete')}
          </button>
        </div>
      ) : null}
    </div>
  )
})

function Composer({ peerID, editing, onDoneEditing }: { peerID: number; editing: ChatMessage | null; onDoneEditing: () => void }) {
  const t = useT()
  const [text, setText] = useState('')
  const ref = useRef<HTMLTextAreaElement>(null)
  const draftBeforeEdit = useRef('')

  useEffect(() => {
    if (editing) {
      draftBeforeEdit.current = text
      setText(editing.message)
      ref.current?.focus()
    }
    // only when a new edit starts
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing])

  useEffect(() => {
    ref.current?.focus()
  }, [peerID])

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = Math.min(el.scrollHeight, 160) + 'px'
  }, [text])

  const cancelEdit = () => {
    onDoneEditing()
    setText(draftBeforeEdit.current)
  }

  const submit = async (e?: FormEvent) => {
    e?.preventDefault()
    const body = text.trim()
    if (!body || body.length > 4096) return
    if (editing) {
      const ok = await editMessage(editing, body)
      if (ok || body === editing.message) cancelEdit()
      return
    }
    sendMessage(peerID, body)
    setText('')
  }

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void submit()
    } else if (e.key === 'Escape' && editing) {
      cancelEdit()
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      {editing ? (
        <div className="editing-bar">
          <span>
            <strong>{t('msg.editing')}</strong> <span className="muted">{editing.message.slice(0, 60)}</span>
          </span>
          <IconButton type="button" label={t('msg.cancel')} onClick={cancelEdit}>
            <Icon name="close" size={18} />
          </IconButton>
        </div>
      ) : null}
      <div className="composer-row">
        <label htmlFor="composer-input" className="sr-only">
          {t('msg.placeholder')}
        </label>
        <textarea
          id="composer-input"
          ref={ref}
          rows={1}
          value={text}
          maxLength={4096}
          placeholder={t('msg.placeholder')}
          onChange={(e) => {
            setText(e.target.value)
            if (e.target.value) notifyTyping(peerID)
          }}
          onKeyDown={onKey}
          data-testid="composer"
        />
        <button type="submit" className="send-btn" aria-label={editing ? t('msg.save') : t('msg.send')} disabled={!text.trim()} data-testid="send">
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </form>
  )
}
