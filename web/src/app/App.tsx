import { useEffect } from 'react'
import { ChangeEmailPage, CheckEmailPage, ConfirmEmailPage, ForgotPage, ResetPasswordPage, SignInPage, SignUpPage } from '../features/auth/AuthPages'
import { DialogList } from '../features/dialogs/DialogList'
import { Conversation } from '../features/messages/Conversation'
import { Toasts } from '../features/notifications/Toasts'
import { SettingsPage } from '../features/profile/SettingsPage'
import { Spinner } from '../ui/ui'
import { ConnBanner, ConversationUnavailable } from './ConnBanner'
import { useT } from './i18n'
import { navigate, useLocation } from './router'
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

function Workspace({ path }: { path: string }) {
  const t = useT()
  const m = /^\/c\/(\d+)$/.exec(path)
  const peer = m ? Number(m[1]) : null
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
