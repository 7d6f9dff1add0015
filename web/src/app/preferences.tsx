import { useT } from './i18n'
import { store, useStore, type Lang, type Theme } from './store'
import { Icon, IconButton } from '../ui/ui'

// Theme and language: persisted in localStorage, applied to <html>, and kept in
// sync across tabs through the `storage` event.

export function initPreferences(): void {
  const apply = () => {
    const { theme, lang } = store.getState()
    document.documentElement.dataset.theme = theme
    document.documentElement.lang = lang
  }
  apply()
  store.subscribe((s, prev) => {
    if (s.theme !== prev.theme || s.lang !== prev.lang) apply()
  })
  window.addEventListener('storage', (e) => {
    if (e.key === 'parley.theme' && (e.newValue === 'light' || e.newValue === 'dark')) store.getState().setTheme(e.newValue)
    if (e.key === 'parley.lang' && (e.newValue === 'en' || e.newValue === 'ru')) store.getState().setLang(e.newValue)
  })
}

export function setTheme(theme: Theme): void {
  store.getState().setTheme(theme)
  try {
    localStorage.setItem('parley.theme', theme)
  } catch {
    /* private mode */
  }
}

export function setLang(lang: Lang): void {
  store.getState().setLang(lang)
  try {
    localStorage.setItem('parley.lang', lang)
  } catch {
    /* private mode */
  }
}

export function ThemeLangSwitch() {
  const t = useT()
  const theme = useStore((s) => s.theme)
  const lang = useStore((s) => s.lang)
  return (
    <div className="prefs-switch">
      <IconButton label={t('theme.toggle')} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
        <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
      </IconButton>
      {/* the name is the visible text (RU/EN), spoken in the language it switches to */}
      <button className="lang-btn" onClick={() => setLang(lang === 'en' ? 'ru' : 'en')} lang={lang === 'en' ? 'ru' : 'en'} title={lang === 'en' ? 'Русский' : 'English'} data-testid="lang-switch">
        {lang === 'en' ? 'RU' : 'EN'}
      </button>
    </div>
  )
}
