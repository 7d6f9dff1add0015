import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { errorText, useT } from '../../app/i18n'
import { setLang, setTheme } from '../../app/preferences'
import { navigate } from '../../app/router'
import { store, useStore } from '../../app/store'
import { Avatar, Button, Field, Icon, IconButton, FormError } from '../../ui/ui'
import { requestNotificationPermission } from '../notifications/notify'
import { SessionsPanel } from '../sessions/SessionsPanel'
import { changeEmail, changePassword, deleteAccount, saveProfile } from './profileService'

function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (fn: () => Promise<void>, okText?: string) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
      if (okText) store.getState().toast('success', okText)
      return true
    } catch (e) {
      setError(errorText(e))
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}

function Card({ title, id, children, className }: { title: string; id: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  )
}

export function SettingsPage() {
  const t = useT()
  return (
    <section className="settings" aria-labelledby="settings-h">
      <header className="conv-head">
        <IconButton label={t('set.close')} onClick={() => navigate('/')}>
          <Icon name="back" />
        </IconButton>
        <h1 id="settings-h" className="settings-title">
          {t('set.title')}
        </h1>
      </header>
      <div className="settings-scroll">
        <ProfileCard />
        <AppearanceCard />
        <SessionsPanel />
        <EmailCard />
        <PasswordCard />
        <DangerCard />
      </div>
    </section>
  )
}

function ProfileCard() {
  const t = useT()
  const me = useStore((s) => s.me)
  const [name, setName] = useState(me?.name ?? '')
  const [bio, setBio] = useState(me?.bio ?? '')
  const { busy, error, run } = useAction()
  useEffect(() => {
    if (me) {
      setName(me.name)
      setBio(me.bio ?? '')
    }
  }, [me])
  const submit = (e: FormEvent) => {
    e.preventDefault()
    void run(() => saveProfile(name, bio), t('set.saved'))
  }
  return (
    <Card title={t('set.profile')} id="profile-h">
      {me ? (
        <div className="profile-head">
          <Avatar name={me.name} id={me.id} size={64} />
          <div>
            <strong>{me.name}</strong>
            <div className="muted">{me.email}</div>
          </div>
        </div>
      ) : null}
      <form className="form" onSubmit={submit}>
        <Field label={t('auth.name')} value={name} minLength={2} maxLength={20} required onChange={(e) => setName(e.target.value)} />
        <Field label={t('set.bio')} value={bio} maxLength={100} onChange={(e) => setBio(e.target.value)} hint={`${bio.length}/100`} />
        <FormError message={error} />
        <Button type="submit" busy={busy}>
          {t('set.saveProfile')}
        </Button>
      </form>
    </Card>
  )
}

function AppearanceCard() {
  const t = useT()
  const theme = useStore((s) => s.theme)
  const lang = useStore((s) => s.lang)
  const [perm, setPerm] = useState<string>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)
  return (
    <Card title={t('set.appearance')} id="appearance-h">
      <fieldset className="segmented">
        <legend>{t('set.theme')}</legend>
        {(['light', 'dark'] as const).map((v) => (
          <label key={v} className={theme === v ? 'on' : ''}>
            <input type="radio" name="theme" value={v} checked={theme === v} onChange={() => setTheme(v)} />
            {v === 'light' ? t('set.light') : t('set.dark')}
          </label>
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend>{t('set.language')}</legend>
        {(['en', 'ru'] as const).map((v) => (
          <label key={v} className={lang === v ? 'on' : ''}>
            <input type="radio" name="lang" value={v} checked={lang === v} onChange={() => setLang(v)} />
            {v === 'en' ? 'English' : 'Русский'}
          </label>
        ))}
      </fieldset>
      <div className="row-between">
        <span>{t('set.notifications')}</span>
        {perm === 'granted' ? (
          <span className="ok">{t('set.notificationsOn')}</span>
        ) : perm === 'denied' ? (
          <span className="muted">{t('set.notificationsBlocked')}</span>
        ) : perm === 'default' ? (
          <Button variant="ghost" onClick={() => requestNotificationPermission().then((p) => setPerm(p))}>
            {t('set.enableNotifications')}
          </Button>
        ) : null}
      </div>
    </Card>
  )
}

function EmailCard() {
  const t = useT()
  const [email, setEmail] = useState('')
  const [pw, setPw] = useState('')
  const { busy, error, run } = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await run(() => changeEmail(pw, email).then(() => undefined), t('set.emailSent', { email }))) {
      setEmail('')
      setPw('')
    }
  }
  return (
    <Card title={t('set.email')} id="email-h">
      <form className="form" onSubmit={submit}>
        <Field label={t('set.newEmail')} type="email" autoComplete="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label={t('set.currentPassword')} type="password" showLabel={t('auth.showPassword')} autoComplete="current-password" required value={pw} onChange={(e) => setPw(e.target.value)} />
        <FormError message={error} />
        <Button type="submit" busy={busy} variant="ghost">
          {t('set.changeEmail')}
        </Button>
      </form>
    </Card>
  )
}

function PasswordCard() {
  const t = useT()
  const [oldPw, setOld] = useState('')
  const [newPw, setNew] = useState('')
  const { busy, error, run } = useAction()
  const bad = newPw && (newPw.length < 8 || newPw.length > 100) ? t('auth.passwordHint') : null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!bad) void run(() => changePassword(oldPw, newPw))
  }
  return (
    <Card title={t('set.password')} id="password-h">
      <form className="form" onSubmit={submit}>
        <Field label={t('set.currentPassword')} type="password" showLabel={t('auth.showPassword')} autoComplete="current-password" required value={oldPw} onChange={(e) => setOld(e.target.value)} />
        <Field label={t('auth.newPassword')} type="password" showLabel={t('auth.showPassword')} autoComplete="new-password" required minLength={8} maxLength={100} value={newPw} onChange={(e) => setNew(e.target.value)} error={bad} hint={t('auth.passwordHint')} />
        <FormError message={error} />
        <Button type="submit" busy={busy} variant="ghost">
          {t('set.changePassword')}
        </Button>
      </form>
    </Card>
  )
}

function DangerCard() {
  const t = useT()
  const [open, setOpen] = useState(false)
  const [pw, setPw] = useState('')
  const { busy, error, run } = useAction()
  return (
    <Card title={t('set.dangerTitle')} id="danger-h" className="card-danger">
      <div className="row-wrap">
        <Button variant="danger" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
          {t('set.deleteAccount')}
        </Button>
      </div>
      {open ? (
        <form
          className="form danger-zone"
          onSubmit={(e) => {
            e.preventDefault()
            void run(() => deleteAccount(pw))
          }}
        >
          <p>{t('set.deleteConfirm')}</p>
          <Field label={t('set.currentPassword')} type="password" showLabel={t('auth.showPassword')} autoComplete="current-password" required value={pw} onChange={(e) => setPw(e.target.value)} />
          <FormError message={error} />
          <Button type="submit" variant="danger" busy={busy}>
            {t('set.deleteNow')}
          </Button>
        </form>
      ) : null}
    </Card>
  )
}
