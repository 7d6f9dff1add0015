import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { useT } from '../../app/i18n'
import { store, useStore, type ChatMessage } from '../../app/store'
import { Icon, IconButton } from '../../ui/ui'
import { editMessage, notifyTyping, sendMessage } from './messageService'

/** Phones and tablets: focusing the composer would pop the on-screen keyboard up on every open. */
const touchFirst = () => typeof matchMedia === 'function' && matchMedia('(pointer: coarse), (max-width: 720px)').matches

export function Composer({ peerID, editing, onEdit, onDoneEditing }: { peerID: number; editing: ChatMessage | null; onEdit: (m: ChatMessage) => void; onDoneEditing: () => void }) {
  const t = useT()
  const draft = useStore((s) => s.drafts[peerID] ?? '')
  const [editText, setEditText] = useState('')
  const text = editing ? editText : draft
  const setText = (v: string) => (editing ? setEditText(v) : store.getState().setDraft(peerID, v))
  const ref = useRef<HTMLTextAreaElement>(null)

  useEffect(() => {
    if (editing) {
      setEditText(editing.message)
      ref.current?.focus()
    }
  }, [editing])

  useEffect(() => {
    if (touchFirst()) return
    const el = ref.current
    if (!el) return
    el.focus()
    el.setSelectionRange(el.value.length, el.value.length) // continue a draft at its end
  }, [peerID])

  // Grow with the text, measured on a hidden twin: collapsing the real field to measure it
  // would shrink the page for a moment and knock the message list off its bottom anchor.
  const twin = useRef<HTMLTextAreaElement>(null)
  useLayoutEffect(() => {
    const el = ref.current
    const m = twin.current
    if (!el || !m) return
    m.style.width = `${el.offsetWidth}px`
    m.value = text
    const h = `${Math.min(Math.max(m.scrollHeight, 48), 160)}px`
    if (el.style.height !== h) el.style.height = h
  }, [text])

  const submit = async (e?: FormEvent) => {
    e?.preventDefault()
    const body = text.trim()
    if (!body || body.length > 4096) return
    if (editing) {
      const ok = await editMessage(editing, body)
      if (ok || body === editing.message) onDoneEditing()
      return
    }
    sendMessage(peerID, body)
    store.getState().setDraft(peerID, '')
  }

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void submit()
    } else if (e.key === 'Escape' && editing) {
      e.preventDefault() // the edit closes, not the conversation
      onDoneEditing()
    } else if (e.key === 'ArrowUp' && !text && !editing && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      const me = store.getState().userID
      const last = (store.getState().conversations[peerID]?.messages ?? []).filter((m) => m.senderID === me && m.messageID > 0).at(-1)
      if (last) {
        e.preventDefault()
        onEdit(last)
      }
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      {editing ? (
        <div className="editing-bar">
          <span>
            <strong>{t('msg.editing')}</strong> <span className="muted">{editing.message.slice(0, 60)}</span>
          </span>
          <IconButton type="button" label={t('msg.cancel')} onClick={onDoneEditing}>
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
            if (e.target.value && !editing) notifyTyping(peerID)
          }}
          onKeyDown={onKey}
          data-testid="composer"
        />
        <textarea ref={twin} className="composer-twin" rows={1} tabIndex={-1} aria-hidden="true" readOnly />
        <button type="submit" className="send-btn" aria-label={editing ? t('msg.save') : t('msg.send')} disabled={!text.trim()} data-testid="send">
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </form>
  )
}
