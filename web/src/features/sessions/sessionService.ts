import type { Session } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'

export async function loadSessions(): Promise<void> {
  const list = (await http.get<Session[]>('/api/session')) ?? []
  // this device first, then most recently used
  list.sort((a, b) => Number(b.current) - Number(a.current) || Date.parse(b.lastUsedAt) - Date.parse(a.lastUsedAt))
  store.getState().setSessions(list)
}

export async function revokeSession(id: Session['sessionID']): Promise<void> {
  await http.del(`/api/session/${encodeURIComponent(String(id))}`)
  await loadSessions()
}

export async function revokeOthers(): Promise<void> {
  await http.del('/api/session?scope=others')
  await loadSessions()
}
