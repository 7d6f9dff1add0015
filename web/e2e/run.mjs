#!/usr/bin/env node
// End-to-end suite: real server jar + real SMTP sink + Debian Chromium via playwright-core.
//   node web/e2e/run.mjs --jar server/target/parley.jar      (from the repo root)
//   npm run e2e -- --jar ../server/target/parley.jar         (from web/)
// Options: --mock (in-memory stand-in instead of the jar, for SPA development),
//          --own-redis (run /usr/bin/redis-server ourselves instead of the server's embedded one),
//          --only <substring> (run matching scenarios), --keep (keep data dir / logs).
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SMTPServer } from 'smtp-server'
import { simpleParser } from 'mailparser'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const webDir = resolve(here, '..')
const outDir = join(webDir, 'test-results')
const shotDir = join(outDir, 'screenshots')
mkdirSync(shotDir, { recursive: true })

const argv = process.argv.slice(2)
const arg = (name) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const flag = (name) => argv.includes(name)
const MOCK = flag('--mock')
const ONLY = arg('--only')
const KEEP = flag('--keep')
const baseCwd = process.env.INIT_CWD || process.cwd()
const jarArg = arg('--jar')
const JAR = jarArg ? resolve(baseCwd, jarArg) : null
const JAVA = process.env.PARLEY_JAVA || (existsSync('/usr/lib/jvm/temurin-25-jdk-amd64/bin/java') ? '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java' : 'java')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const ACCESS_TTL = arg('--access-ttl') || '5s'
const OWN_REDIS = flag('--own-redis')

if (!MOCK && (!JAR || !existsSync(JAR))) {
  console.error(`usage: node e2e/run.mjs --jar <path-to-parley.jar>  (jar not found: ${JAR})`)
  console.log('e2e: 0 passed, 1 failed')
  process.exit(2)
}

const log = (...a) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...a)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.unref()
    s.on('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

async function until(what, fn, timeoutMs = 15000, everyMs = 200) {
  const end = Date.now() + timeoutMs
  let last
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    await sleep(everyMs)
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`)
}

// ---------- SMTP sink ----------
const mailbox = []
async function startSmtp() {
  const port = await freePort()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase())
          mailbox.push({ to, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '' })
          cb()
        })
        .catch(cb)
    },
  })
  await new Promise((r) => server.listen(port, '127.0.0.1', r))
  return { port, stop: () => new Promise((r) => server.close(r)) }
}

function linkFor(email, pathPart) {
  const mail = [...mailbox].reverse().find((m) => m.to.includes(email.toLowerCase()) && (m.text + m.html).includes(pathPart))
  if (!mail) return null
  const m = (mail.html + ' ' + mail.text).match(new RegExp(`https?://[^\\s"'<>]*${pathPart.replace(/[/]/g, '\\/')}[^\\s"'<>]*`))
  return m ? m[0].replace(/&amp;/g, '&') : null
}

// ---------- server ----------
async function startServer(smtpPort) {
  const port = await freePort()
  const socketPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'))
  const publicUrl = `http://localhost:${port}`
  if (MOCK) {
    const { startMockServer } = await import('./mock-server.mjs')
    const ttl = /^(\d+)s$/.exec(ACCESS_TTL)
    const srv = await startMockServer({
      port,
      socketPort,
      distDir: join(webDir, 'dist'),
      publicUrl,
      accessTtlMs: ttl ? Number(ttl[1]) * 1000 : 5000,
      onEmail: (m) => mailbox.push({ to: [m.to], subject: m.subject, text: m.text, html: '' }),
    })
    return { url: publicUrl, stop: srv.stop, dataDir }
  }
  const logFile = join(outDir, 'server.log')
  const out = createWriteStream(logFile)
  const extra = []
  let redis = null
  if (OWN_REDIS) {
    const redisPort = await freePort()
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir], { stdio: 'ignore' })
    extra.push(`--spring.data.redis.url=redis://127.0.0.1:${redisPort}`)
    log(`own redis-server on :${redisPort}`)
  }
  const args = [
    '--enable-native-access=ALL-UNNAMED',
    '-jar',
    JAR,
    `--server.port=${port}`,
    `--parley.socket.port=${socketPort}`,
    `--parley.data-dir=${dataDir}`,
    `--parley.public-url=${publicUrl}`,
    '--spring.mail.host=127.0.0.1',
    `--spring.mail.port=${smtpPort}`,
    `--parley.jwt.access-token-ttl=${ACCESS_TTL}`,
    '--parley.rate-limit.enabled=false',
    ...extra,
  ]
  log(`starting server: ${JAVA} ${args.join(' ')}`)
  const proc = spawn(JAVA, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false })
  proc.stdout.pipe(out)
  proc.stderr.pipe(out)
  let exited = null
  proc.on('exit', (code) => (exited = code))
  const t0 = Date.now()
  await until(
    'server health UP',
    async () => {
      if (exited !== null) throw new Error(`server exited with ${exited}; see ${logFile}`)
      const r = await fetch(`${publicUrl}/actuator/health`)
      const j = await r.json()
      return j.status === 'UP'
    },
    180000,
    500,
  ).catch((e) => {
    if (exited !== null) throw new Error(`server exited with ${exited}; see ${logFile}`)
    throw e
  })
  log(`server UP in ${((Date.now() - t0) / 1000).toFixed(1)}s on ${publicUrl} (socket :${socketPort}), log ${logFile}`)
  return {
    url: publicUrl,
    dataDir,
    stop: async () => {
      if (exited !== null) return
      proc.kill('SIGTERM')
      await Promise.race([new Promise((r) => proc.on('exit', r)), sleep(15000)])
      if (exited === null) proc.kill('SIGKILL')
      redis?.kill('SIGTERM')
    },
  }
}

// ---------- browser helpers ----------
let browser
let BASE
const contexts = []
async function newPage({ mobile = false, theme = 'light' } = {}) {
  const ctx = await browser.newContext({
    viewport: mobile ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    colorScheme: theme,
    locale: 'en-US',
  })
  contexts.push(ctx)
  ctx.on('close', () => contexts.splice(contexts.indexOf(ctx), 1))
  ctx.refreshes = 0
  ctx.on('request', (r) => {
    if (r.url().endsWith('/api/auth/refresh-token')) ctx.refreshes++
  })
  const page = await ctx.newPage()
  wire(page)
  return page
}
const consoleErrors = []
function wire(page) {
  page.setDefaultTimeout(15000)
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket|net::ERR/.test(m.text())) consoleErrors.push(`console: ${m.text()}`)
  })
}

const password = 'correct-horse-9'
const stamp = Date.now().toString(36)

async function signUpAndConfirm(page, name, email, { shots = false } = {}) {
  await page.goto(`${BASE}/signup`)
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByText('Email is available').waitFor()
  await page.getByLabel('Password', { exact: true }).fill(password)
  if (shots) await shootBoth(page, 'sign-up')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Check your email' }).waitFor()
  const link = await until(`confirmation email to ${email}`, () => linkFor(email, '/email/confirm-email'), 20000)
  await page.goto(link)
  await page.getByText('Your email is confirmed').waitFor()
}

async function signIn(page, email, pw = password) {
  await page.goto(`${BASE}/signin`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(pw)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('#people-search').waitFor()
  await waitOnline(page)
}

async function waitOnline(page) {
  await page.waitForFunction(() => window.__parley?.store.getState().conn === 'online', null, { timeout: 20000 })
}

async function openChat(page, name) {
  const dlg = page.locator('[data-testid=dialog]', { hasText: name })
  if (await dlg.count()) {
    await dlg.first().click()
  } else {
    await page.locator('#people-search').fill(name.slice(0, 6))
    await page.locator('[data-testid=search-hit]', { hasText: name }).first().click()
  }
  await page.getByTestId('conv-name').filter({ hasText: name }).waitFor()
}

async function send(page, text) {
  await page.getByTestId('composer').fill(text)
  await page.getByTestId('composer').press('Enter')
}

const bubble = (page, text) => page.locator('[data-testid=message]', { hasText: text })
async function expectBubble(page, text, timeout = 15000) {
  await bubble(page, text).first().waitFor({ timeout })
}
async function texts(page) {
  return page.locator('[data-testid=message] .msg-text').allInnerTexts()
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`)
}

async function setTheme(page, theme) {
  await page.evaluate((t) => {
    localStorage.setItem('parley.theme', t)
    window.__parley.store.getState().setTheme(t)
  }, theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
}
async function shootBoth(page, name) {
  // toasts are transient: keep them out of the reference screenshots
  await page.evaluate(() => window.__parley.store.getState().toasts.forEach((t) => window.__parley.store.getState().dismissToast(t.id)))
  for (const theme of ['light', 'dark']) {
    await setTheme(page, theme)
    await sleep(150)
    await page.screenshot({ path: join(shotDir, `${name}-${theme}.png`) })
  }
  await setTheme(page, 'light')
}

// ---------- scenarios ----------
const A = { name: `Alice ${stamp.slice(-4)}`, email: `alice.${stamp}@example.test` }
const B = { name: `Bob ${stamp.slice(-4)}`, email: `bob.${stamp}@example.test` }
let pa, pb // Alice's and Bob's main pages (separate browser contexts = separate "browsers")

const scenarios = [
  [
    'sign up + confirm by emailed link, find each other, chat live both ways',
    async () => {
      pa = await newPage()
      pb = await newPage()
      await pa.goto(`${BASE}/signin`)
      await pa.getByLabel('Email').waitFor()
      await shootBoth(pa, 'sign-in')
      await signUpAndConfirm(pa, A.name, A.email, { shots: true })
      await signUpAndConfirm(pb, B.name, B.email)
      // email already in use is reported live
      await pb.goto(`${BASE}/signup`)
      await pb.getByLabel('Email').fill(A.email)
      await pb.getByText('Email already in use').waitFor()
      await signIn(pa, A.email)
      await signIn(pb, B.email)
      await openChat(pa, B.name)
      await send(pa, 'Hi Bob, this is Alice')
      await expectBubble(pa, 'Hi Bob, this is Alice')
      await pa.locator('[data-testid=message][data-state=sent], [data-testid=message][data-state=read]').first().waitFor()
      await pb.locator('[data-testid=dialog]', { hasText: A.name }).waitFor()
      await openChat(pb, A.name)
      await expectBubble(pb, 'Hi Bob, this is Alice')
      await send(pb, 'Hello Alice! Bob here')
      await expectBubble(pa, 'Hello Alice! Bob here')
      await send(pa, 'Great to see you live')
      await expectBubble(pb, 'Great to see you live')
      // typing indicator
      await pb.getByTestId('composer').pressSequentially('typing', { delay: 30 })
      await pa.getByTestId('conv-status').filter({ hasText: 'typing' }).waitFor({ timeout: 5000 })
      await pb.getByTestId('composer').fill('')
      // no duplicates from the optimistic bubble + the echo
      const ta = await texts(pa)
      assert(ta.filter((t) => t === 'Hi Bob, this is Alice').length === 1, `one copy of the first message, got ${JSON.stringify(ta)}`)
    },
  ],
  [
    'unread badge and read ticks update live',
    async () => {
      await pb.goto(`${BASE}/`)
      await pb.locator('[data-testid=dialog]', { hasText: A.name }).waitFor()
      await waitOnline(pb)
      await send(pa, 'unread one')
      await send(pa, 'unread two')
      const badge = pb.locator('[data-testid=dialog]', { hasText: A.name }).getByTestId('unread-badge')
      await badge.filter({ hasText: '2' }).waitFor()
      await until('title shows unread total', async () => (await pb.title()).startsWith('(2)'))
      // Alice sees single ticks (sent, not read)
      await pa.locator('[data-testid=message][data-state=sent]', { hasText: 'unread two' }).waitFor()
      await openChat(pb, A.name)
      await expectBubble(pb, 'unread two')
      await pa.locator('[data-testid=message][data-state=read]', { hasText: 'unread two' }).waitFor()
      await badge.waitFor({ state: 'detached' })
      assert(!(await pb.title()).startsWith('('), 'title without unread count')
      // while Bob keeps the chat open, a new message is read at once
      await send(pa, 'read right away')
      await expectBubble(pb, 'read right away')
      await pa.locator('[data-testid=message][data-state=read]', { hasText: 'read right away' }).waitFor()
    },
  ],
  [
    'a second tab of the same user stays in sync',
    async () => {
      const pa2 = await pa.context().newPage()
      wire(pa2)
      await pa.goto(`${BASE}/`)
      await pa2.goto(`${BASE}/`)
      await pa2.locator('#people-search').waitFor() // signed in from the shared refresh token
      await waitOnline(pa2)
      await waitOnline(pa)
      await openChat(pb, A.name)
      await send(pb, 'to both of your tabs')
      for (const p of [pa, pa2]) await p.locator('[data-testid=dialog]', { hasText: B.name }).getByTestId('unread-badge').waitFor()
      await openChat(pa, B.name)
      await expectBubble(pa, 'to both of your tabs')
      // read state propagates to the other tab
      await pa2.locator('[data-testid=dialog]', { hasText: B.name }).getByTestId('unread-badge').waitFor({ state: 'detached' })
      // theme propagates
      await pa.evaluate(() => {
        localStorage.setItem('parley.theme', 'dark')
        window.__parley.store.getState().setTheme('dark')
      })
      await pa2.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
      await setTheme(pa, 'light')
      await pa2.waitForFunction(() => document.documentElement.dataset.theme === 'light')
      // sign-out in one tab signs the other out; sign-in in one signs the other in
      await pa2.goto(`${BASE}/settings`)
      await pa2.getByTestId('logout').click()
      await pa2.getByRole('heading', { name: 'Sign in to Parley' }).waitFor()
      await pa.getByRole('heading', { name: 'Sign in to Parley' }).waitFor()
      await pa2.getByLabel('Email').fill(A.email)
      await pa2.getByLabel('Password', { exact: true }).fill(password)
      await pa2.getByRole('button', { name: 'Sign in' }).click()
      await pa.locator('#people-search').waitFor()
      await pa2.close()
      await waitOnline(pa)
    },
  ],
  [
    `conversation continues across several access-token refreshes (TTL ${ACCESS_TTL}) with nothing lost`,
    async () => {
      await openChat(pa, B.name)
      await openChat(pb, A.name)
      const sent = []
      const t0 = Date.now()
      const r0 = [pa.context().refreshes, pb.context().refreshes]
      for (let i = 0; i < 8; i++) {
        const [p, who] = i % 2 ? [pb, 'B'] : [pa, 'A']
        const text = `ttl ${who}${i}`
        await send(p, text)
        sent.push(text)
        await sleep(2600)
      }
      const refreshes = [pa.context().refreshes - r0[0], pb.context().refreshes - r0[1]]
      log(`  sent ${sent.length} messages over ${((Date.now() - t0) / 1000).toFixed(0)}s; token refreshes A=${refreshes[0]} B=${refreshes[1]}`)
      if (/^[1-9]s$/.test(ACCESS_TTL)) assert(refreshes.every((n) => n >= 3), 'several refreshes happened on both sides')
      for (const p of [pa, pb]) {
        for (const s of sent) await expectBubble(p, s)
        const list = (await texts(p)).filter((x) => x.startsWith('ttl '))
        assert(JSON.stringify(list) === JSON.stringify(sent), `order/no-dupes: ${JSON.stringify(list)}`)
        assert((await p.locator('[data-testid=message][data-state=failed]').count()) === 0, 'no failed messages')
        assert(await p.locator('#people-search').isVisible(), 'still signed in')
      }
      // the page can still use REST after idling past the TTL
      await sleep(5500)
      await pa.reload()
      await openChat(pa, B.name)
      await expectBubble(pa, sent.at(-1))
      await waitOnline(pa)
    },
  ],
  [
    'going offline (socket dropped) delivers what was sent meanwhile; failed sends retry without duplicates',
    async () => {
      await openChat(pb, A.name)
      await waitOnline(pb)
      await pb.context().setOffline(true) // the app reacts to the browser's `offline` event by dropping the socket
      await pb.getByTestId('conn-banner').waitFor()
      for (const m of ['while you were away 1', 'while you were away 2', 'while you were away 3']) await send(pa, m)
      await expectBubble(pa, 'while you were away 3')
      // Bob tries to send while offline: it fails and offers a retry
      await send(pb, 'sent from offline')
      await pb.getByTestId('retry').waitFor()
      await sleep(1000)
      assert((await bubble(pb, 'while you were away 1').count()) === 0, 'offline page did not get messages')
      await pb.context().setOffline(false)
      await waitOnline(pb)
      for (const m of ['while you were away 1', 'while you were away 2', 'while you were away 3']) await expectBubble(pb, m)
      await pb.getByTestId('retry').click()
      await pb.locator('[data-testid=message][data-state=sent], [data-testid=message][data-state=read]').filter({ hasText: 'sent from offline' }).waitFor()
      await expectBubble(pa, 'sent from offline')
      await sleep(800)
      assert((await bubble(pa, 'sent from offline').count()) === 1, 'retry delivered exactly once')
      assert((await bubble(pb, 'while you were away 2').count()) === 1, 'synced messages not duplicated')
    },
  ],
  [
    'revoking a session from settings sends that other browser back to sign-in',
    async () => {
      const other = await newPage()
      await signIn(other, A.email)
      await pa.goto(`${BASE}/settings`)
      const rows = pa.getByTestId('session')
      await until('two sessions listed', async () => (await rows.count()) >= 2)
      await pa.locator('[data-testid=session][data-current]').getByText('This device').waitFor()
      await pa.getByTestId('sessions').scrollIntoViewIfNeeded()
      await shootBoth(pa, 'settings-sessions')
      const n = await rows.count()
      await pa.getByTestId('revoke').first().click()
      await until('session list shrinks', async () => (await rows.count()) === n - 1)
      await other.getByRole('heading', { name: 'Sign in to Parley' }).waitFor({ timeout: 20000 })
      await other.getByText('Your session has ended').waitFor()
      assert(await pa.getByTestId('sessions').isVisible(), 'revoking browser still signed in')
      await other.context().close()
    },
  ],
  [
    'workspace screenshots (light and dark) and time to interactive',
    async () => {
      await openChat(pa, B.name)
      await sleep(300)
      await shootBoth(pa, 'workspace-conversation')
      await pa.evaluate(() => window.__parley.store.getState().setLang('ru'))
      await pa.getByText('в сети').first().waitFor()
      await pa.screenshot({ path: join(shotDir, 'workspace-conversation-ru-light.png') })
      await pa.evaluate(() => window.__parley.store.getState().setLang('en'))
      const fresh = await newPage()
      const t0 = Date.now()
      await fresh.goto(`${BASE}/signin`)
      await fresh.getByLabel('Email').waitFor()
      const tti = Date.now() - t0
      const nav = await fresh.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0]
        return { domInteractive: Math.round(n.domInteractive), load: Math.round(n.loadEventEnd) }
      })
      log(`  time to interactive (sign-in form usable): ${tti} ms (domInteractive ${nav.domInteractive} ms, load ${nav.load} ms)`)
      const t1 = Date.now()
      await pa.reload()
      await pa.locator('[data-testid=dialog]').first().waitFor()
      log(`  signed-in reload → dialog list rendered: ${Date.now() - t1} ms`)
      await fresh.context().close()
    },
  ],
  [
    'edit and delete own messages; history pages upwards; "new messages" jump button',
    async () => {
      await openChat(pa, B.name)
      await openChat(pb, A.name)
      await send(pa, 'tpyo here')
      await expectBubble(pb, 'tpyo here')
      const own = bubble(pa, 'tpyo here')
      await own.hover()
      await own.getByRole('button', { name: 'Message actions' }).click()
      await pa.getByRole('menuitem', { name: 'Edit' }).click()
      await pa.getByText('Editing message').waitFor()
      await pa.getByTestId('composer').fill('typo fixed')
      await pa.getByTestId('composer').press('Enter')
      await bubble(pb, 'typo fixed').getByText('edited').waitFor()
      await send(pa, 'delete me please')
      await expectBubble(pb, 'delete me please')
      pa.once('dialog', (d) => d.accept())
      const del = bubble(pa, 'delete me please')
      await del.hover()
      await del.getByRole('button', { name: 'Message actions' }).click()
      await pa.getByRole('menuitem', { name: 'Delete' }).click()
      await bubble(pb, 'delete me please').waitFor({ state: 'detached' })
      // 45 more messages, then a fresh load shows the newest page and pages upwards on scroll
      for (let i = 1; i <= 45; i++) await send(pa, `bulk ${String(i).padStart(2, '0')}`)
      await expectBubble(pb, 'bulk 45', 30000)
      await pb.reload()
      await openChat(pb, A.name)
      await expectBubble(pb, 'bulk 45')
      const before = await pb.getByTestId('message').count()
      assert(before <= 31, `first page is one page (got ${before})`)
      for (let i = 0; i < 6 && !(await bubble(pb, 'Hi Bob, this is Alice').count()); i++) {
        await pb.getByTestId('messages').evaluate((el) => el.scrollTo(0, 0))
        await sleep(600)
      }
      await expectBubble(pb, 'Hi Bob, this is Alice', 5000)
      const all = await texts(pb)
      const bulk = all.filter((t) => t.startsWith('bulk '))
      assert(bulk.length === 45 && bulk.every((t, i) => t === `bulk ${String(i + 1).padStart(2, '0')}`), `all 45 in order, no gaps or duplicates: ${bulk.join(',')}`)
      // scrolled up: a new message shows the jump button instead of yanking the view
      await send(pa, 'look down here')
      await pb.getByTestId('jump-new').waitFor()
      await pb.getByTestId('jump-new').click()
      await pb.getByTestId('jump-new').waitFor({ state: 'detached' })
      await bubble(pb, 'look down here').isVisible()
    },
  ],
  [
    'password reset, email change by emailed links, password change, account deletion',
    async () => {
      const C = { name: `Carol ${stamp.slice(-4)}`, email: `carol.${stamp}@example.test` }
      const p = await newPage()
      await signUpAndConfirm(p, C.name, C.email)
      await p.goto(`${BASE}/forgot`)
      await p.getByLabel('Email').fill(C.email)
      await p.getByRole('button', { name: 'Send link' }).click()
      await p.getByText('a reset link is on its way').waitFor()
      const reset = await until('reset email', () => linkFor(C.email, '/email/reset-password'), 20000)
      await p.goto(reset)
      await p.getByLabel('New password').fill('brand-new-pass-1')
      await p.getByRole('button', { name: 'Save password' }).click()
      await p.getByText('Your password was changed').waitFor()
      await signIn(p, C.email, 'brand-new-pass-1')
      const newEmail = `carol.new.${stamp}@example.test`
      await p.goto(`${BASE}/settings`)
      await p.getByLabel('New email').fill(newEmail)
      await p.locator('form', { has: p.getByLabel('New email') }).getByLabel('Current password').fill('brand-new-pass-1')
      await p.getByRole('button', { name: 'Change email' }).click()
      const change = await until('change-email email', () => linkFor(newEmail, '/email/change-email'), 20000)
      await p.goto(change)
      await p.getByText('Your new email address is confirmed').waitFor()
      await p.goto(`${BASE}/settings`)
      await p.getByText(newEmail).waitFor()
      // change password: every session is revoked, so we land on sign-in with an explanation
      const pwForm = p.locator('form', { has: p.getByRole('button', { name: 'Change password' }) })
      await pwForm.getByLabel('Current password').fill('brand-new-pass-1')
      await pwForm.getByLabel('New password').fill('third-pass-333')
      await pwForm.getByRole('button', { name: 'Change password' }).click()
      await p.getByRole('heading', { name: 'Sign in to Parley' }).waitFor()
      await p.getByText('Password changed').waitFor()
      await signIn(p, newEmail, 'third-pass-333')
      // delete the account
      await p.goto(`${BASE}/settings`)
      await p.getByRole('button', { name: 'Delete account' }).click()
      const delForm = p.locator('form.danger-zone')
      await delForm.getByLabel('Current password').fill('third-pass-333')
      await delForm.getByRole('button', { name: 'Delete my account' }).click()
      await p.getByRole('heading', { name: 'Sign in to Parley' }).waitFor()
      await p.getByLabel('Email').fill(newEmail)
      await p.getByLabel('Password', { exact: true }).fill('third-pass-333')
      await p.getByRole('button', { name: 'Sign in' }).click()
      await p.getByText('Invalid password or email').waitFor()
      await p.context().close()
    },
  ],
  [
    'notifications: toast while looking elsewhere, system notification while the tab is hidden',
    async () => {
      await pa.goto(`${BASE}/settings`)
      await waitOnline(pa)
      await send(pb, 'ping while in settings')
      await pa.getByTestId('toast').filter({ hasText: 'New message from' }).waitFor()
      // pretend the tab is hidden and record system notifications
      await pa.evaluate(() => {
        window.__shown = []
        window.Notification = class {
          static permission = 'granted'
          constructor(title, opts) {
            window.__shown.push({ title, body: opts?.body })
          }
          close() {}
        }
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
        document.dispatchEvent(new Event('visibilitychange'))
      })
      await send(pb, 'ping while hidden')
      const shown = await until('system notification', () => pa.evaluate(() => window.__shown.find((n) => n.body === 'ping while hidden')))
      assert(shown.title === B.name, `notification titled with the sender (got ${shown.title})`)
      await until('unread total in title', async () => /^\(\d+\) Parley$/.test(await pa.title()))
      await pa.reload() // back to a visible tab
      await waitOnline(pa)
      await openChat(pa, B.name)
    },
  ],
  [
    'keyboard only: sign in, open a chat, send; focus is visible',
    async () => {
      const k = await newPage()
      await k.goto(`${BASE}/signin`)
      await k.getByLabel('Email').waitFor()
      await k.keyboard.type(B.email) // email field is focused on load
      await k.keyboard.press('Tab')
      await k.keyboard.type(password)
      await k.keyboard.press('Enter')
      await k.locator('#people-search').waitFor()
      await waitOnline(k)
      // Tab through the header to the first dialog
      let found = false
      for (let i = 0; i < 12 && !found; i++) {
        await k.keyboard.press('Tab')
        found = await k.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'dialog')
      }
      assert(found, 'a dialog is reachable with Tab')
      const outline = await k.evaluate(() => getComputedStyle(document.activeElement).outlineStyle)
      assert(outline !== 'none', `focused element shows an outline (got ${outline})`)
      await k.keyboard.press('Enter')
      await k.getByTestId('composer').waitFor()
      await k.waitForFunction(() => document.activeElement?.id === 'composer-input')
      await k.keyboard.type('typed without a mouse')
      await k.keyboard.press('Enter')
      await expectBubble(pa, 'typed without a mouse')
      await k.context().close()
    },
  ],
  [
    'mobile viewport (390x844): one pane at a time',
    async () => {
      const m = await newPage({ mobile: true })
      await signIn(m, B.email)
      const dlg = m.locator('[data-testid=dialog]', { hasText: A.name })
      await dlg.waitFor()
      await m.screenshot({ path: join(shotDir, 'mobile-dialogs-light.png') })
      await dlg.click()
      await m.getByTestId('composer').waitFor()
      assert(!(await m.locator('#people-search').isVisible()), 'list hidden while conversation open')
      await send(m, 'from my phone')
      await expectBubble(pa, 'from my phone')
      await shootBoth(m, 'mobile-conversation')
      await m.getByRole('button', { name: 'Back' }).click()
      await m.locator('#people-search').waitFor()
      assert(!(await m.getByTestId('composer').isVisible()), 'conversation hidden on the list view')
      // no horizontal overflow
      const overflow = await m.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
      assert(!overflow, 'no horizontal scroll on a phone')
      await m.context().close()
    },
  ],
]

// ---------- conversation pane (issue 17), in e2e/conversation.mjs ----------
import { conversationScenarios } from './conversation.mjs'
scenarios.push(
  ...conversationScenarios({ newPage, waitOnline, send, bubble, expectBubble, until, sleep, assert, shootBoth, setTheme, log, shotDir, linkFor, password, base: () => BASE }),
)

// ---------- main ----------
let passed = 0
let failed = 0
let smtp, server
try {
  smtp = await startSmtp()
  log(`SMTP sink on :${smtp.port}`)
  server = await startServer(smtp.port)
  BASE = server.url
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  let broken = false
  for (const [i, [name, fn]] of scenarios.entries()) {
    if (ONLY && i > 0 && !name.includes(ONLY)) continue // the first scenario creates the users
    if (broken) {
      log(`SKIP (earlier setup failed) ${name}`)
      failed++
      continue
    }
    const t0 = Date.now()
    try {
      await fn()
      passed++
      log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
    } catch (e) {
      failed++
      log(`FAIL ${name}: ${e.message.split('\n').slice(0, 6).join('\n')}`)
      const safe = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)
      const open = contexts.flatMap((c) => c.pages()).filter((p) => !p.isClosed())
      for (const [i, p] of open.entries()) await p.screenshot({ path: join(outDir, `fail-${safe}-${i}.png`) }).catch(() => {})
      if (!pa || !pb) broken = true
    }
  }
} catch (e) {
  failed++
  log(`setup failed: ${e.stack || e.message}`)
} finally {
  if (consoleErrors.length) log(`browser console errors:\n  ${[...new Set(consoleErrors)].slice(0, 15).join('\n  ')}`)
  await browser?.close().catch(() => {})
  await server?.stop().catch(() => {})
  await smtp?.stop().catch(() => {})
  if (server?.dataDir && !KEEP) rmSync(server.dataDir, { recursive: true, force: true })
}
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
