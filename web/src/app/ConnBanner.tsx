import { useEffect, useState } from 'react'
import { useT } from './i18n'
import { useStore } from './store'

/** A blip shorter than this (a reconnect on a flaky network) shows no banner: it would only make the page jump. */
const RECONNECT_GRACE_MS = 1500

/**
 * Connection state for the whole workspace (above both panes, so a phone showing only the
 * conversation sees it too). "Offline" when the browser itself has no network: reconnecting
 * is pointless then, and unsent messages wait for it.
 */
export function ConnBanner() {
  const t = useT()
  const conn = useStore((s) => s.conn)
  const network = useStore((s) => s.network)
  const down = conn !== 'online' && conn !== 'idle'
  const [late, setLate] = useState(false)
  useEffect(() => {
    setLate(false)
    if (!down) return
    const timer = setTimeout(() => setLate(true), RECONNECT_GRACE_MS)
    return () => clearTimeout(timer)
  }, [down])
  if (network && !(down && late)) return null
  const offline = !network
  return (
    <div className={`conn-banner ${offline ? 'conn-offline' : `conn-${conn}`}`} role="status" data-testid="conn-banner">
      {offline ? null : <span className="spinner" aria-hidden="true" />} {offline ? t('conn.offline') : conn === 'connecting' ? t('conn.connecting') : t('conn.reconnecting')}
    </div>
  )
}

/** A conversation that could not be loaded because we are offline: say so (it loads on reconnect). */
export function ConversationUnavailable({ peerID }: { peerID: number }) {
  const t = useT()
  const loaded = useStore((s) => s.conversations[peerID]?.loaded ?? false)
  const down = useStore((s) => !s.network || s.conn === 'reconnecting')
  if (loaded || !down) return null
  return (
    <p className="conv-unavailable" role="status" data-testid="conv-offline">
      {t('conn.convOffline')}
    </p>
  )
}
