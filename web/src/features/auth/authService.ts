import { ApiError } from '../../api/http'
import type { TokenPair } from '../../api/types'
import { device, http } from '../../app/services'
import { getConfig, startSession } from '../../app/session'

export async function signIn(email: string, password: string): Promise<void> {
  const pair = await http.post<TokenPair>('/api/auth/login', { email: email.trim(), password, os: device.os, browser: device.browser }, { auth: false })
  http.setTokens(pair)
  await startSession(pair.userID)
}

/**
 * Registers. When the server does not ask for email confirmation the new account is signed in
 * right away (returns 'signedIn'); otherwise the emailed link comes first ('confirm').
 */
export async function signUp(name: string, email: string, password: string): Promise<'signedIn' | 'confirm'> {
  await http.post('/api/user', { name: name.trim(), email: email.trim(), password }, { auth: false })
  const cfg = await getConfig()
  if (cfg.requireEmailConfirmation !== false) return 'confirm'
  await signIn(email, password)
  return 'signedIn'
}

/** true = available, false = taken; throws on other errors. */
export async function isEmailAvailable(email: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await http.post('/api/user/check-email', { email: email.trim() }, { auth: false, signal })
    return true
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) return false
    throw e
  }
}

export function confirmEmail(id: string, token: string) {
  return http.get(`/api/email/confirm-email?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`, { auth: false })
}

export function confirmEmailChange(id: string, token: string) {
  return http.get(`/api/email/change-email?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`, { auth: false })
}

export function requestPasswordReset(email: string) {
  return http.post('/api/user/reset-password', { email: email.trim() }, { auth: false })
}

export function resetPassword(id: string, token: string, newPassword: string) {
  return http.post(`/api/email/reset-password?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`, { newPassword }, { auth: false })
}
