import { useId, useState, type Ref, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from 'react'

// Dumb, shared UI pieces. No store access here.

/**
 * After a failed submit, focus stays on the form: the first field marked invalid, else the
 * first field (the submit button was disabled while busy, which would drop focus to <body>).
 */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  const el = form?.querySelector<HTMLInputElement>('input[aria-invalid="true"]') ?? form?.querySelector<HTMLInputElement>('input')
  el?.focus()
}

/** A form's error line, announced to screen readers; nothing when there is no error. */
export function FormError({ message, id }: { message: string | null | undefined; id?: string }) {
  return message ? (
    <p className="form-error" role="alert" id={id}>
      {message}
    </p>
  ) : null
}

export function Button({ variant = 'primary', busy, children, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'ghost' | 'danger' | 'subtle'; busy?: boolean }) {
  return (
    <button className={`btn btn-${variant} ${className ?? ''}`} disabled={busy || rest.disabled} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  )
}

export function IconButton({ label, children, className, ref, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { label: string; ref?: Ref<HTMLButtonElement> }) {
  return (
    <button ref={ref} className={`icon-btn ${className ?? ''}`} aria-label={label} title={label} {...rest}>
      {children}
    </button>
  )
}

export function Field({ label, hint, error, status, type, showLabel = 'Show password', ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | null; status?: ReactNode; showLabel?: string }) {
  const id = useId()
  const [show, setShow] = useState(false)
  const isPassword = type === 'password'
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-err` : '', status ? `${id}-status` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-control">
        <input id={id} type={isPassword && show ? 'text' : type} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
        {isPassword ? (
          <button type="button" className="field-eye" aria-label={showLabel} aria-pressed={show} onClick={() => setShow((v) => !v)}>
            {show ? <Icon name="eyeOff" /> : <Icon name="eye" />}
          </button>
        ) : null}
      </div>
      {status ? (
        <div id={`${id}-status`} className="field-status" aria-live="polite">
          {status}
        </div>
      ) : null}
      {hint && !error ? (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-err`} className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  )
}

// deep enough that white initials keep at least 4.5:1 (WCAG AA) on every colour
const palette = ['#b3424a', '#3d7f2c', '#2f6ea5', '#6a52b8', '#b0386f', '#1f7a7c', '#a85413', '#2b6c99']

export function Avatar({ name, id, size = 48, online }: { name: string; id: number; size?: number; online?: boolean }) {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('')
  return (
    <span className="avatar" style={{ width: size, height: size, background: palette[Math.abs(id) % palette.length], fontSize: size * 0.38 }} aria-hidden="true">
      {initials || '?'}
      {online ? <span className="avatar-online" /> : null}
    </span>
  )
}

const paths: Record<string, ReactNode> = {
  search: <path d="M10.5 3a7.5 7.5 0 0 1 5.9 12.1l4.3 4.3-1.4 1.4-4.3-4.3A7.5 7.5 0 1 1 10.5 3Zm0 2a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11Z" />,
  send: <path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />,
  back: <path d="M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z" />,
  menu: <path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" />,
  close: <path d="m6.4 5 5.6 5.6L17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z" />,
  sun: <path d="M12 7a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm-1-6h2v3h-2zm0 19h2v3h-2zM1 11h3v2H1zm19 0h3v2h-3zM4.2 5.6l1.4-1.4 2.1 2.1-1.4 1.4zm12.1 12.1 1.4-1.4 2.1 2.1-1.4 1.4zM4.2 18.4l2.1-2.1 1.4 1.4-2.1 2.1zM16.3 6.3l2.1-2.1 1.4 1.4-2.1 2.1z" />,
  moon: <path d="M12.1 3a7 7 0 0 0 8.9 8.9A9 9 0 1 1 12.1 3Z" />,
  settings: <path d="M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3.2h-4l-.4 2.7a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1l.4 2.7h4l.4-2.7c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z" transform="translate(-1 0)" />,
  check: <path d="m9 16.2-4.2-4.2-1.4 1.4L9 19 21 7l-1.4-1.4z" />,
  checks: <path d="m.4 13.4 5.6 5.6 1.4-1.4L1.8 12zm21.8-7.8L12 15.8 8.9 12.7l-1.4 1.4L12 18.6 23.6 7zM18 7l-1.4-1.4-6.3 6.3 1.4 1.4z" />,
  clock: <path d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm1 3v5.4l3.6 2.1-1 1.7L11 13.6V7z" />,
  alert: <path d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm-1 5v7h2V7zm0 9v2h2v-2z" />,
  down: <path d="M11 4h2v12.2l5.6-5.6L20 12l-8 8-8-8 1.4-1.4 5.6 5.6z" />,
  more: <path d="M12 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4Zm0 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4Zm0 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4Z" />,
  eye: <path d="M12 5c5 0 9 4.5 10 7-1 2.5-5 7-10 7S3 14.5 2 12c1-2.5 5-7 10-7Zm0 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8Zm0 2a2 2 0 1 1 0 4 2 2 0 0 1 0-4Z" />,
  eyeOff: <path d="m3.3 2 18.7 18.7-1.4 1.4-3.3-3.3A10.6 10.6 0 0 1 12 19c-5 0-9-4.5-10-7a13 13 0 0 1 3.6-4.8L1.9 3.4zM12 5c5 0 9 4.5 10 7a12.6 12.6 0 0 1-2.6 3.6L16 12.2A4 4 0 0 0 11.8 8L9.2 5.4C10.1 5.1 11 5 12 5Z" />,
  logout: <path d="M10 3h9a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-9v-2h9V5h-9zm1.6 4.4L13 6l6 6-6 6-1.4-1.4 3.6-3.6H3v-2h12.2z" transform="translate(24 0) scale(-1 1)" />,
  logo: <path d="M12 2C6.5 2 2 6 2 11c0 2.8 1.4 5.3 3.7 7L5 22l4.3-2.3c.9.2 1.8.3 2.7.3 5.5 0 10-4 10-9s-4.5-9-10-9Zm-4 8h8v2H8zm0-3h8v2H8zm0 6h5v2H8z" />,
}

export function Icon({ name, size = 22 }: { name: keyof typeof paths | string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
      {paths[name]}
    </svg>
  )
}

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="center-spinner" role="status">
      <span className="spinner spinner-lg" aria-hidden="true" />
      {label ? <span className="sr-only">{label}</span> : null}
    </div>
  )
}
