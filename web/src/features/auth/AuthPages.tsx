import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { ApiError } from '../../api/http'
import { errorText, useErrorText, useT } from '../../app/i18n'
import { Link, navigate, useLocation } from '../../app/router'
import { useStore } from '../../app/store'
import { Button, Field, Icon, FormError, focusFirstInvalid } from '../../ui/ui'
import { ThemeLangSwitch } from '../../app/preferences'
import { confirmEmail, confirmEmailChange, isEmailAvailable, requestPasswordReset, resetPassword, signIn, signUp } from './authService'


function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const t = useT()
  return (
    <div className="auth-page">
      <div className="auth-top">
        <ThemeLangSwitch />
      </div>
      <main className="auth-card">
        <div className="auth-logo" aria-hidden="true">
          <Icon name="logo" size={44} />
        </div>
        <h1>{title}</h1>
        <p className="auth-tagline">{t('auth.tagline')}</p>
        {children}
      </main>
    </div>
  )
}

export function SignInPage() {
  const t = useT()
  const err = useErrorText()
  const notice = useStore((s) => s.notice)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  // a failed attempt keeps focus in the form, on the first field marked invalid
  useEffect(() => {
    if (error) focusFirstInvalid(form.current)
  }, [error])
  const credentialsBad = error !== null
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await signIn(email, password)
      navigate('/', { replace: true })
    } catch (x) {
      setError(err(x))
    } finally {
      setBusy(false)
    }
  }
  return (
    <AuthCard title={t('auth.signInTitle')}>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} className="form" noValidate={false} ref={form}>
        <Field label={t('auth.email')} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus aria-invalid={credentialsBad || undefined} aria-describedby={credentialsBad ? 'signin-error' : undefined} />
        <Field label={t('auth.password')} type="password" showLabel={t('auth.showPassword')} name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={credentialsBad || undefined} aria-describedby={credentialsBad ? 'signin-error' : undefined} />
        <FormError message={error} id="signin-error" />
        <Button type="submit" busy={busy} className="btn-block">
          {t('auth.signIn')}
        </Button>
      </form>
      <div className="auth-links">
        <Link to="/forgot">{t('auth.forgot')}</Link>
        <span>
          {t('auth.noAccount')} <Link to="/signup">{t('auth.signUp')}</Link>
        </span>
      </div>
    </AuthCard>
  )
}

type Avail = 'idle' | 'checking' | 'free' | 'taken'

export function SignUpPage() {
  const t = useT()
  const err = useErrorText()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [avail, setAvail] = useState<Avail>('idle')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (error) focusFirstInvalid(form.current)
  }, [error])

  useEffect(() => {
    const v = email.trim()
    if (!/^[^\s@]+@[^\s@]+$/.test(v) || v.length > 254) {
      setAvail('idle')
      return
    }
    setAvail('checking')
    const ctl = new AbortController()
    const timer = setTimeout(() => {
      isEmailAvailable(v, ctl.signal)
        .then((ok) => setAvail(ok ? 'free' : 'taken'))
        .catch(() => setAvail('idle'))
    }, 400)
    return () => {
      clearTimeout(timer)
      ctl.abort()
    }
  }, [email])

  const nameErr = name && (name.trim().length < 2 || name.trim().length > 20) ? t('auth.nameHint') : null
  const pwErr = password && (password.length < 8 || password.length > 100) ? t('auth.passwordHint') : null

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (nameErr || pwErr || avail === 'taken') return
    setBusy(true)
    setError(null)
    try {
      if ((await signUp(name, email, password)) === 'signedIn') navigate('/', { replace: true })
      else navigate(`/check-email?email=${encodeURIComponent(email.trim())}`)
    } catch (x) {
      setError(err(x))
    } finally {
      setBusy(false)
    }
  }
  const status =
    avail === 'checking' ? (
      <span className="muted">{t('auth.checking')}</span>
    ) : avail === 'free' ? (
      <span className="ok">✓ {t('auth.emailFree')}</span>
    ) : avail === 'taken' ? (
      <span className="bad">{t('auth.emailTaken')}</span>
    ) : null
  return (
    <AuthCard title={t('auth.signUpTitle')}>
      <form onSubmit={submit} className="form" ref={form}>
        <Field label={t('auth.name')} name="name" autoComplete="nickname" required minLength={2} maxLength={20} value={name} onChange={(e) => setName(e.target.value)} hint={t('auth.nameHint')} error={nameErr} autoFocus />
        <Field label={t('auth.email')} type="email" name="email" autoComplete="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} status={status} />
        <Field label={t('auth.password')} type="password" showLabel={t('auth.showPassword')} name="password" autoComplete="new-password" required minLength={8} maxLength={100} value={password} onChange={(e) => setPassword(e.target.value)} hint={t('auth.passwordHint')} error={pwErr} />
        <FormError message={error} />
        <Button type="submit" busy={busy} className="btn-block" disabled={avail === 'taken'}>
          {t('auth.signUp')}
        </Button>
      </form>
      <div className="auth-links">
        <span>
          {t('auth.haveAccount')} <Link to="/signin">{t('auth.signIn')}</Link>
        </span>
      </div>
    </AuthCard>
  )
}

export function CheckEmailPage() {
  const t = useT()
  const { query } = useLocation()
  return (
    <AuthCard title={t('auth.checkEmailTitle')}>
      <p className="lead">{t('auth.checkEmailText', { email: query.get('email') ?? '' })}</p>
      <Link className="btn btn-primary btn-block" to="/signin">
        {t('auth.signIn')}
      </Link>
    </AuthCard>
  )
}

function LinkAction({ run, title, okText, failText }: { run: () => Promise<unknown>; title: string; okText: string; failText: string }) {
  const t = useT()
  const [state, setState] = useState<'busy' | 'ok' | 'fail'>('busy')
  const [detail, setDetail] = useState<string | null>(null)
  const started = useRef(false)
  useEffect(() => {
    if (started.current) return // single-use links: never call twice (StrictMode)
    started.current = true
    run()
      .then(() => setState('ok'))
      .catch((e) => {
        setDetail(e instanceof ApiError && e.status !== 0 && e.status !== 400 && e.status !== 401 ? errorText(e) : null)
        setState('fail')
      })
  }, [run])
  return (
    <AuthCard title={title}>
      {state === 'busy' ? <p role="status">{t('auth.confirming')}</p> : null}
      {state === 'ok' ? (
        <p className="ok lead" role="status">
          {okText}
        </p>
      ) : null}
      {state === 'fail' ? (
        <p className="bad lead" role="alert">
          {failText}
          {detail ? ` (${detail})` : ''}
        </p>
      ) : null}
      <Link className="btn btn-primary btn-block" to="/">
        {t('auth.continue')}
      </Link>
    </AuthCard>
  )
}

export function ConfirmEmailPage() {
  const t = useT()
  const { query } = useLocation()
  const id = query.get('id') ?? ''
  const token = query.get('token') ?? ''
  const [run] = useState(() => () => confirmEmail(id, token))
  return <LinkAction run={run} title={t('auth.checkEmailTitle')} okText={t('auth.confirmed')} failText={t('auth.confirmFailed')} />
}

export function ChangeEmailPage() {
  const t = useT()
  const { query } = useLocation()
  const id = query.get('id') ?? ''
  const token = query.get('token') ?? ''
  const [run] = useState(() => () => confirmEmailChange(id, token))
  return <LinkAction run={run} title={t('set.email')} okText={t('auth.changeEmailDone')} failText={t('auth.changeEmailFailed')} />
}

export function ForgotPage() {
  const t = useT()
  const err = useErrorText()
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await requestPasswordReset(email)
      setSent(true)
    } catch (x) {
      setError(err(x))
    } finally {
      setBusy(false)
    }
  }
  return (
    <AuthCard title={t('auth.forgotTitle')}>
      {sent ? (
        <p className="ok lead" role="status">
          {t('auth.linkSent', { email })}
        </p>
      ) : (
        <form onSubmit={submit} className="form">
          <p className="muted">{t('auth.forgotHint')}</p>
          <Field label={t('auth.email')} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          <FormError message={error} />
          <Button type="submit" busy={busy} className="btn-block">
            {t('auth.sendLink')}
          </Button>
        </form>
      )}
      <div className="auth-links">
        <Link to="/signin">{t('auth.backToSignIn')}</Link>
      </div>
    </AuthCard>
  )
}

export function ResetPasswordPage() {
  const t = useT()
  const err = useErrorText()
  const { query } = useLocation()
  const [pw, setPw] = useState('')
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const pwErr = pw && (pw.length < 8 || pw.length > 100) ? t('auth.passwordHint') : null
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (pwErr) return
    setBusy(true)
    setError(null)
    try {
      await resetPassword(query.get('id') ?? '', query.get('token') ?? '', pw)
      setDone(true)
    } catch (x) {
      setError(err(x))
    } finally {
      setBusy(false)
    }
  }
  return (
    <AuthCard title={t('auth.resetTitle')}>
      {done ? (
        <>
          <p className="ok lead" role="status">
            {t('auth.resetDone')}
          </p>
          <Link className="btn btn-primary btn-block" to="/signin">
            {t('auth.signIn')}
          </Link>
        </>
      ) : (
        <form onSubmit={submit} className="form">
          <Field label={t('auth.newPassword')} type="password" showLabel={t('auth.showPassword')} autoComplete="new-password" required minLength={8} maxLength={100} value={pw} onChange={(e) => setPw(e.target.value)} hint={t('auth.passwordHint')} error={pwErr} autoFocus />
          <FormError message={error} />
          <Button type="submit" busy={busy} className="btn-block">
            {t('auth.save')}
          </Button>
        </form>
      )}
    </AuthCard>
  )
}
