import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/http'
import { errorText } from './i18n'

// One mapping from failures to words for the whole app: known server messages in the user's
// language, network trouble said as such, the unknown passed through (English) or generic.

describe('errorText', () => {
  it('translates the contract messages the UI can meet', () => {
    expect(errorText(new ApiError(401, 'Invalid password or email'), 'ru')).toBe('Неверный пароль или адрес почты')
    expect(errorText(new ApiError(400, 'Email bob@x.test already in use'), 'ru')).toBe('Этот адрес уже занят')
    expect(errorText(new ApiError(401, 'You need to confirm your email'), 'en')).toMatch(/confirm your email/)
    expect(errorText(new ApiError(400, 'newName must be 2-20 characters'), 'ru')).toBe('Имя: от 2 до 20 символов')
    expect(errorText(new ApiError(400, 'password must be 8-100 characters'), 'ru')).toBe('Пароль: от 8 до 100 символов')
  })

  it('says "too many" and "busy" by status even without a known text', () => {
    expect(errorText(new ApiError(429, 'whatever'), 'ru')).toMatch(/Слишком много/)
    expect(errorText(new ApiError(503, ''), 'en')).toMatch(/busy/)
  })

  it('network failures are never shown as the raw error, in any feature', () => {
    expect(errorText(new ApiError(0, 'network'), 'en')).toBe('Cannot reach the server. Check your connection.')
    expect(errorText(new ApiError(0, 'network'), 'ru')).toBe('Нет связи с сервером. Проверьте подключение.')
  })

  it('an unknown server text is shown as is in English and generically in Russian', () => {
    expect(errorText(new ApiError(400, 'Some new rule'), 'en')).toBe('Some new rule')
    expect(errorText(new ApiError(400, 'Some new rule'), 'ru')).toBe('Что-то пошло не так. Попробуйте ещё раз.')
    expect(errorText(new Error('boom'), 'en')).toBe('Something went wrong. Please try again.')
  })
})
