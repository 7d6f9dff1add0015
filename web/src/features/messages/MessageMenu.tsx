import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react'
import { useT } from '../../app/i18n'
import type { MenuAt } from './Bubble'

export interface MenuItem {
  label: string
  danger?: boolean
  run: () => void
}

/**
 * A message's actions as an overlay menu (nothing in the list moves). Arrow keys move between
 * items, Esc/Tab/outside click close it, and focus goes back to the button that opened it.
 */
export function MessageMenu({ at, items, onClose }: { at: MenuAt; items: MenuItem[]; onClose: () => void }) {
  const t = useT()
  const ref = useRef<HTMLDivElement>(null)
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null)
  const anchor = 'anchor' in at ? at.anchor : null

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const w = el.offsetWidth
    const h = el.offsetHeight
    let x: number
    let y: number
    if ('anchor' in at) {
      const r = at.anchor.getBoundingClientRect()
      x = r.right - w
      y = r.bottom + 4
      if (y + h > innerHeight - 8) y = r.top - h - 4
    } else {
      x = at.x
      y = at.y
      if (y + h > innerHeight - 8) y = at.y - h
    }
    setPos({ left: Math.max(8, Math.min(x, innerWidth - w - 8)), top: Math.max(8, Math.min(y, innerHeight - h - 8)) })
    el.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus()
  }, [at])

  useEffect(() => {
    const away = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) onClose()
    }
    document.addEventListener('pointerdown', away, true)
    window.addEventListener('resize', onClose)
    return () => {
      document.removeEventListener('pointerdown', away, true)
      window.removeEventListener('resize', onClose)
    }
  }, [onClose])

  const close = (refocus: boolean) => {
    onClose()
    if (refocus) anchor?.focus()
  }

  const onKey = (e: KeyboardEvent) => {
    const list = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? [])]
    const i = list.indexOf(document.activeElement as HTMLButtonElement)
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      list[(i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length]?.focus()
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault()
      list[e.key === 'Home' ? 0 : list.length - 1]?.focus()
    } else if (e.key === 'Escape') {
      e.preventDefault() // closes the menu, not the conversation
      e.stopPropagation()
      close(true)
    } else if (e.key === 'Tab') {
      e.preventDefault()
      close(true)
    }
  }

  return (
    <div
      ref={ref}
      className="msg-menu"
      role="menu"
      aria-label={t('msg.actions')}
      style={pos ? { left: pos.left, top: pos.top } : { opacity: 0, left: 0, top: 0 }}
      onKeyDown={onKey}
      data-testid="msg-menu"
    >
      {items.map((it) => (
        <button
          key={it.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={it.danger ? 'danger' : undefined}
          onClick={() => {
            close(false)
            it.run()
          }}
        >
          {it.label}
        </button>
      ))}
    </div>
  )
}
