import type { Dialog, UserHit } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'

export async function loadDialogs(): Promise<void> {
  const list = await http.get<Dialog[]>('/api/dialog')
  store.getState().setDialogs(list ?? [])
}

let reloadTimer: ReturnType<typeof setTimeout> | null = null
/** Coalesces bursts (deletes, unknown senders) into one dialog-list reload. */
export function scheduleDialogsReload(ms = 300): void {
  if (reloadTimer) return
  reloadTimer = setTimeout(() => {
    reloadTimer = null
    loadDialogs().catch(() => {})
  }, ms)
}

export async function searchPeople(name: string, signal?: AbortSignal): Promise<UserHit[]> {
  const q = name.trim()
  if (!q) return []
  const hits = (await http.post<UserHit[]>('/api/user/search', { name: q }, { signal })) ?? []
  const s = store.getState()
  hits.forEach((h) => s.rememberName(h.id, h.name))
  return hits
}
