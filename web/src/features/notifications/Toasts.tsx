import { navigate } from '../../app/router'
import { useStore, store } from '../../app/store'
import { Icon } from '../../ui/ui'
import { useT } from '../../app/i18n'

/**
 * Transient messages, at the bottom edge above the composer so they never cover a header or its
 * back button. A new-message toast opens its conversation when clicked, and goes away by
 * itself once that conversation is open (see initToastCleanup).
 */
export function Toasts() {
  const toasts = useStore((s) => s.toasts)
  const tr = useT()
  return (
    <div className="toasts" aria-live="polite" aria-atomic="false">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
          {t.peerID ? (
            <button className="toast-open" onClick={() => navigate(`/c/${t.peerID}`)} data-testid="toast-open">
              {t.text}
            </button>
          ) : (
            <span>{t.text}</span>
          )}
          <button className="toast-x" aria-label={tr('app.dismiss')} onClick={() => store.getState().dismissToast(t.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  )
}

/** Opening a conversation removes the toasts that point at it. */
export function initToastCleanup(): void {
  store.subscribe((s, p) => {
    if (s.activePeer === p.activePeer || s.activePeer === null) return
    s.toasts.filter((t) => t.peerID === s.activePeer).forEach((t) => store.getState().dismissToast(t.id))
  })
}

/** Unread total in the tab title: "(3) Parley". */
export function initTitle(): void {
  const apply = () => {
    const s = store.getState()
    const n = s.dialogs.reduce((a, d) => a + d.newMessagesCount, 0)
    document.title = n > 0 ? `(${n}) Parley` : 'Parley'
  }
  store.subscribe((s, p) => {
    if (s.dialogs !== p.dialogs) apply()
  })
  apply()
}
