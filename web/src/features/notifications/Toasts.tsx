import { useStore, store } from '../../app/store'
import { Icon } from '../../ui/ui'
import { useT } from '../../app/i18n'

export function Toasts() {
  const toasts = useStore((s) => s.toasts)
  const tr = useT()
  return (
    <div className="toasts" aria-live="polite" aria-atomic="false">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
          <span>{t.text}</span>
          <button className="toast-x" aria-label={tr('app.dismiss')} onClick={() => store.getState().dismissToast(t.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  )
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
