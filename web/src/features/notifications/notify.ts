import { t } from '../../app/i18n'
import { navigate } from '../../app/router'
import { store } from '../../app/store'

/** An incoming message the user is not looking at: system notification when hidden, else a toast. */
export function notifyIncoming(name: string, text: string, peerID: number): void {
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      try {
        const n = new Notification(name, { body: text.slice(0, 140), tag: `parley-${peerID}` })
        n.onclick = () => {
          window.focus()
          navigate(`/c/${peerID}`)
          n.close()
        }
      } catch {
        /* some platforms only allow notifications from a service worker */
      }
    }
    return
  }
  store.getState().toast('info', `${t('msg.newFrom', { name })}: ${text.slice(0, 80)}`, peerID)
}

export async function requestNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported'
  if (Notification.permission !== 'default') return Notification.permission
  return Notification.requestPermission()
}
