import { useEffect, useState } from 'react'
import { ApiError } from '../api/http'
import { http } from './services'
import { ChangeEmailPage, CheckEmailPage, ConfirmEmailPage, ForgotPage, ResetPasswordPage, SignInPage, SignUpPage } from '../features/auth/AuthPages'
import { DialogList } from '../features/dialogs/DialogList'
import { Conversation } from '../features/messages/Conversation'
import { Toasts } from '../features/notifications/Toasts'
import { SettingsPage } from '../features/profile/SettingsPage'
import { Spinner } from '../ui/ui'
import { ConnBanner, ConversationUnavailable } from './ConnBanner'
import { useT } from './i18n'
import { Link, navigate, useLocation } from './router'
import { store, useStore } from './store'

const PUBLIC: Partial<Record<string, () => React.JSX.Element>> = {
  '/email/confirm-email': ConfirmEmailPage,
  '/email/reset-password': ResetPasswordPage,
  '/email/change-email': ChangeEmailPage,
  '/check-email': CheckEmailPage,
  '/forgot': ForgotPage,
}

export function App() {
  const t = useT()
  const { path } = useLocation()
  const status = useStore((s) => s.authStatus)
  const Public = PUBLIC[path]

  const guestOnly = path === '/signin' || path === '/signup'
  useEffect(() => {
    if (Public) return
    if (status === 'signedOut' && !guestOnly) navigate('/signin', { replace: true })
    if (status === 'signedIn' && guestOnly) navigate('/', { replace: true })
  }, [status, guestOnly, Public])

  let page: React.ReactNode
  if (Public) page = <Public />
  else if (status === 'booting') page = <Spinner label={t('app.loading')} />
  else if (status === 'signedOut') page = path === '/signup' ? <SignUpPage /> : <SignInPage />
  else page = <Workspace path={path} />
  return (
    <>
      <a href="#main" className="skip-link">
        {t('app.skip')}
      </a>
      {page}
      <Toasts />
    </>
  )
}

type PeerCheck = 'ok' | 'pending' | 'self' | 'missing'

/**
 * A deep link /c/<id> may name someone we have no history with (fetch the name), an id that
 * does not exist (say so instead of offering a composer) or ourselves (refused: the client
 * never offers a chat with yourself, search leaves you out too).
 */
function usePeerCheck(peer: number | null): PeerCheck {
  const me = useStore((s) => s.userID)
  const known = useStore((s) => (peer ? s.names[peer] !== undefined || s.dialogs.some((d) => d.receiverID === peer) : true))
  const [missing, setMissing] = useState<number | null>(null)
  useEffect(() => {
    if (!peer || known || peer === me) return
    let live = true
    http
      .get<string>(`/api/user/${peer}/name`)
      .then((name) => {
        if (live && typeof name === 'string') store.getState().rememberName(peer, name)
      })
      .catch((e) => {
        if (live && e instanceof ApiError && (e.status === 400 || e.status === 404)) setMissing(peer)
      })
    return () => {
      live = false
    }
  }, [peer, known, me])
  if (peer !== null && peer === me) return 'self'
  if (peer !== null && missing === peer) return 'missing'
  return known ? 'ok' : 'pending'
}

function PeerUnavailable({ kind }: { kind: 'self' | 'missing' }) {
  const t = useT()
  return (
    <section className="placeholder peer-unavailable" aria-labelledby="peer-unavailable-h" data-testid="peer-unavailable">
      <div>
        <h2 id="peer-unavailable-h">{kind === 'self' ? t('peer.selfTitle') : t('peer.notFoundTitle')}</h2>
        <p>{kind === 'self' ? t('peer.self') : t('peer.notFound')}</p>
        <Link className="btn btn-primary" to="/">
          {t('ws.back')}
        </Link>
      </div>
    </section>
  )
}

function Workspace({ path }: { path: string }) {
  const t = useT()
  const m = /^\/c\/(\d+)$/.exec(path)
  const peer = m ? Number(m[1]) : null
  const check = usePeerCheck(peer)
  const settings = path === '/settings'
  useEffect(() => {
    if (!peer) store.getState().setActivePeer(null)
  }, [peer])
  const hasDetail = peer !== null || settings
  const conn = useStore((s) => s.conn)
  return (
    <div className="app-shell" data-conn={conn}>
      <ConnBanner />
      <div className={`workspace ${hasDetail ? 'has-detail' : ''}`}>
        <DialogList activePeer={peer} />
        <main id="main" className="detail">
          {settings ? (
            <SettingsPage />
          ) : peer && check === 'pending' ? (
            <Spinner label={t('app.loading')} />
          ) : peer && (check === 'self' || check === 'missing') ? (
            <PeerUnavailable kind={check} />
          ) : peer ? (
            <>
              <Conversation key={peer} peerID={peer} />
              <ConversationUnavailable peerID={peer} />
            </>
          ) : (
            <div className="placeholder">
              <p>{t('ws.selectChat')}</p>
            </div>
          )}
        </main>
      </div>
    </div>
  )
}
