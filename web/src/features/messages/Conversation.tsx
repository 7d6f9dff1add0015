import { useCallback, useEffect, useState } from 'react'
import { useT } from '../../app/i18n'
import { goBack } from '../../app/router'
import { useStore, type ChatMessage } from '../../app/store'
import { Avatar, Icon, IconButton } from '../../ui/ui'
import { Composer } from './Composer'
import { MessageList } from './MessageList'
import { openConversation } from './messageService'

export function Conversation({ peerID }: { peerID: number }) {
  const t = useT()
  const name = useStore((s) => s.names[peerID] ?? s.dialogs.find((d) => d.receiverID === peerID)?.receiverName ?? '')
  const presence = useStore((s) => s.dialogs.find((d) => d.receiverID === peerID)?.connectionStatus)
  const typingUntil = useStore((s) => s.typing[peerID] ?? 0)
  const [editing, setEditing] = useState<ChatMessage | null>(null)
  const close = useCallback(() => goBack('/'), [])

  useEffect(() => {
    void openConversation(peerID)
  }, [peerID])

  // Esc closes the conversation, unless something inside handled it first (menu, edit bar) or
  // the key belongs to another part of the page (the sidebar's search clears itself).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return
      const target = e.target as Element | null
      if (target && target !== document.body && !target.closest('.conversation')) return
      e.preventDefault()
      close()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [close])

  const status = typingUntil > Date.now() ? t('ws.typing') : presence === 'online' ? t('ws.online') : presence ? t('ws.offline') : ''

  return (
    <section className="conversation" aria-label={name}>
      <header className="conv-head">
        <IconButton label={t('ws.back')} className="only-mobile" onClick={close}>
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
      <MessageList peerID={peerID} name={name} onEdit={setEditing} />
      <Composer key={peerID} peerID={peerID} editing={editing} onEdit={setEditing} onDoneEditing={() => setEditing(null)} />
    </section>
  )
}
