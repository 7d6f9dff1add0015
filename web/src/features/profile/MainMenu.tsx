import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { useT } from '../../app/i18n'
import { navigate } from '../../app/router'
import { logout } from '../../app/session'
import { Icon, IconButton } from '../../ui/ui'

/**
 * The sidebar's menu: Settings and Log out, where people look for them (deleting the account
 * stays in settings, apart, behind its confirmation). A WAI-ARIA menu button: arrows move,
 * Esc closes and returns focus to the button.
 */
export function MainMenu() {
  const t = useT()
  const [open, setOpen] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLUListElement>(null)

  useEffect(() => {
    if (!open) return
    menu.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus()
    const outside = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('pointerdown', outside)
    return () => document.removeEventListener('pointerdown', outside)
  }, [open])

  const close = () => {
    setOpen(false)
    button.current?.focus()
  }
  const onKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])]
    const i = items.indexOf(document.activeElement as HTMLElement)
    if (e.key === 'Escape') close()
    else if (e.key === 'ArrowDown') items[(i + 1) % items.length]?.focus()
    else if (e.key === 'ArrowUp') items[(i - 1 + items.length) % items.length]?.focus()
    else if (e.key === 'Tab') setOpen(false)
    else return
    e.preventDefault()
  }

  return (
    <div className="main-menu">
      <IconButton ref={button} label={t('menu.open')} aria-haspopup="menu" aria-expanded={open} aria-controls="main-menu" onClick={() => setOpen((v) => !v)} data-testid="open-menu">
        <Icon name="menu" />
      </IconButton>
      {open ? (
        <ul id="main-menu" className="menu" role="menu" aria-label={t('menu.open')} ref={menu} onKeyDown={onKey}>
          <li role="none">
            <button
              role="menuitem"
              onClick={() => {
                setOpen(false)
                navigate('/settings')
              }}
              data-testid="open-settings"
            >
              <Icon name="settings" size={20} /> {t('menu.settings')}
            </button>
          </li>
          <li role="none">
            <button role="menuitem" onClick={() => void logout()} data-testid="logout">
              <Icon name="logout" size={20} /> {t('menu.logout')}
            </button>
          </li>
        </ul>
      ) : null}
    </div>
  )
}
