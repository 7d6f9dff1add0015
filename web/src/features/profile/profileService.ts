import type { Me } from '../../api/types'
import { http } from '../../app/services'
import { store } from '../../app/store'
import { t } from '../../app/i18n'

export async function saveProfile(name: string, bio: string): Promise<void> {
  const me = store.getState().me
  if (me && name.trim() !== me.name) await http.post('/api/user/change/name', { newName: name.trim() })
  if (!me || bio !== (me.bio ?? '')) await http.post('/api/user/change/bio', { newBio: bio })
  const fresh = await http.get<Me>('/api/user/me')
  if (fresh) store.getState().setMe(fresh)
}

export function changeEmail(password: string, newEmail: string) {
  return http.post('/api/user/change/email', { password, newEmail: newEmail.trim() })
}

/** Revokes every session server-side: sign out here with an explanation. */
export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  await http.post('/api/user/change/password', { oldPassword, newPassword })
  http.signOut(t('set.passwordChanged'))
}

export async function deleteAccount(password: string): Promise<void> {
  await http.del('/api/user', { password })
  http.signOut(null)
}
