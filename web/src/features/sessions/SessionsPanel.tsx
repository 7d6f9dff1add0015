import { useEffect, useState } from 'react'
import { errorText, localeOf, useT } from '../../app/i18n'
import { store, useStore } from '../../app/store'
import { dateTime, prettyIp } from '../../ui/format'
import { Button } from '../../ui/ui'
import { loadSessions, revokeOthers, revokeSession } from './sessionService'

export function SessionsPanel() {
  const t = useT()
  const sessions = useStore((s) => s.sessions)
  const lang = useStore((s) => s.lang)
  const [busy, setBusy] = useState<string | null>(null)

  useEffect(() => {
    loadSessions().catch(() => {})
  }, [])

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key)
    try {
      await fn()
      store.getState().toast('success', t('set.revoked'))
    } catch (e) {
      store.getState().toast('error', errorText(e))
    } finally {
      setBusy(null)
    }
  }

  const locale = localeOf(lang)
  return (
    <section className="card" aria-labelledby="sessions-h">
      <h2 id="sessions-h">{t('set.sessions')}</h2>
      <ul className="sessions" role="list" data-testid="sessions">
        {(sessions ?? []).map((s) => (
          <li key={String(s.sessionID)} className="session" data-testid="session" data-current={s.current || undefined}>
            <div className="session-info">
              <strong>
                {s.browser} · {s.os}
              </strong>
              {s.current ? <span className="pill">{t('set.thisDevice')}</span> : s.online ? <span className="pill pill-muted">{t('set.online')}</span> : null}
              <span className="muted">
                {prettyIp(s.ip)} · {t('set.lastActive', { time: dateTime(s.lastUsedAt, locale) })}
              </span>
            </div>
            {!s.current ? (
              <Button variant="ghost" busy={busy === String(s.sessionID)} onClick={() => run(String(s.sessionID), () => revokeSession(s.sessionID))} data-testid="revoke">
                {t('set.revoke')}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {sessions && sessions.length > 1 ? (
        <Button variant="danger" busy={busy === 'others'} onClick={() => run('others', revokeOthers)} data-testid="revoke-others">
          {t('set.revokeOthers')}
        </Button>
      ) : null}
    </section>
  )
}
