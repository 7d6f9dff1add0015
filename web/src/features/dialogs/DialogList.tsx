import { useEffect, useState } from 'react'
import type { UserHit } from '../../api/types'
import { localeOf, useT } from '../../app/i18n'
import { ThemeLangSwitch } from '../../app/preferences'
import { Link, navigate } from '../../app/router'
import { useStore } from '../../app/store'
import { fullDate, shortStamp } from '../../ui/format'
import { Avatar, Icon } from '../../ui/ui'
import { searchPeople } from './dialogService'
import { MainMenu } from '../profile/MainMenu'

export function DialogList({ activePeer }: { activePeer: number | null }) {
  const t = useT()
  const [q, setQ] = useState('')
  const [hits, setHits] = useState<UserHit[] | null>(null)

  useEffect(() => {
    if (!q.trim()) {
      setHits(null)
      return
    }
    const ctl = new AbortController()
    const timer = setTimeout(() => {
      searchPeople(q, ctl.signal)
        .then(setHits)
        .catch(() => {})
    }, 250)
    return () => {
      clearTimeout(timer)
      ctl.abort()
    }
  }, [q])

  const open = (id: number) => {
    setQ('')
    navigate(`/c/${id}`)
  }

  return (
    <nav className="sidebar" aria-label={t('ws.chats')}>
      <header className="sidebar-head">
        <MainMenu />
        <div className="search">
          <label htmlFor="people-search" className="sr-only">
            {t('ws.search')}
          </label>
          <Icon name="search" size={18} />
          <input
            id="people-search"
            type="search"
            placeholder={t('ws.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setQ('')
              if (e.key === 'Enter' && hits?.[0]) open(hits[0].id)
            }}
            autoComplete="off"
          />
        </div>
        <ThemeLangSwitch />
      </header>
      {hits ? <SearchResults hits={hits} onOpen={open} /> : <Dialogs activePeer={activePeer} />}
    </nav>
  )
}

function SearchResults({ hits, onOpen }: { hits: UserHit[]; onOpen: (id: number) => void }) {
  const t = useT()
  return (
    <div className="list-scroll">
      <h2 className="list-title">{t('ws.searchResults')}</h2>
      {hits.length === 0 ? <p className="empty">{t('ws.noResults')}</p> : null}
      <ul className="dialogs" role="list">
        {hits.map((h) => (
          <li key={h.id}>
            <button className="dialog" onClick={() => onOpen(h.id)} data-testid="search-hit">
              <Avatar name={h.name} id={h.id} />
              <span className="dialog-body">
                <span className="dialog-row">
                  <span className="dialog-name">{h.name}</span>
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

function Dialogs({ activePeer }: { activePeer: number | null }) {
  const t = useT()
  const dialogs = useStore((s) => s.dialogs)
  const loaded = useStore((s) => s.dialogsLoaded)
  const typing = useStore((s) => s.typing)
  const lang = useStore((s) => s.lang)
  const drafts = useStore((s) => s.drafts)
  const me = useStore((s) => s.userID)
  const conversations = useStore((s) => s.conversations)
  const now = Date.now()
  const locale = localeOf(lang)
  return (
    <div className="list-scroll">
      {loaded && dialogs.length === 0 ? <p className="empty">{t('ws.noDialogs')}</p> : null}
      <ul className="dialogs" role="list">
        {dialogs.map((d) => {
          const isTyping = (typing[d.receiverID] ?? 0) > now
          const draft = drafts[d.receiverID]
          const lastKnown = conversations[d.receiverID]?.messages.filter((m) => m.messageID > 0).at(-1)
          const lastSender = d.lastMessageSenderID ?? (lastKnown?.message === d.lastMessage ? lastKnown.senderID : undefined)
          return (
            <li key={d.receiverID}>
              <Link
                to={`/c/${d.receiverID}`}
                className={`dialog ${activePeer === d.receiverID ? 'active' : ''}`}
                aria-current={activePeer === d.receiverID ? 'page' : undefined}
                data-testid="dialog"
                data-peer={d.receiverID}
              >
                <Avatar name={d.receiverName} id={d.receiverID} online={d.connectionStatus === 'online'} />
                <span className="dialog-body">
                  <span className="dialog-row">
                    <span className="dialog-name">{d.receiverName}</span>
                    <time className="dialog-time" dateTime={d.createdAt} title={fullDate(d.createdAt, locale)}>
                      {shortStamp(d.createdAt, locale)}
                    </time>
                  </span>
                  <span className="dialog-row">
                    <span className={`dialog-last ${isTyping ? 'typing' : ''}`} data-testid="dialog-last">
                      {isTyping ? (
                        t('ws.typing')
                      ) : draft && activePeer !== d.receiverID ? (
                        <>
                          <span className="draft-label">{t('ws.draft')}</span> {draft}
                        </>
                      ) : (
                        <>
                          {lastSender === me ? <span className="you-label">{t('ws.you')}</span> : null}
                          {d.lastMessage}
                        </>
                      )}
                    </span>
                    {d.newMessagesCount > 0 ? (
                      <span className="badge" data-testid="unread-badge" aria-label={t('ws.unread', { n: d.newMessagesCount })}>
                        {d.newMessagesCount}
                      </span>
                    ) : null}
                  </span>
                </span>
                <span className="sr-only">{d.connectionStatus === 'online' ? t('ws.online') : t('ws.offline')}</span>
              </Link>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
