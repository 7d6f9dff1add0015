#!/usr/bin/env node
// End-to-end suite: real server jar + real SMTP sink + Debian Chromium via playwright-core.
//   node web/e2e/run.mjs --jar server/target/parley.jar      (from the repo root)
//   npm run e2e -- --jar ../server/target/parley.jar         (from web/)
// Options: --mock (in-memory stand-in instead of the jar, for SPA development),
//          --own-redis (run /usr/bin/redis-server ourselves instead of the server's embedded one),
//          --only <substring>[|<substring>...] (run matching scenarios), --keep (keep data dir / logs).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createRequire } from 'node:module'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SMTPServer } from 'smtp-server'
import { simpleParser } from 'mailparser'
import { chromium } from 'playwright-core'
import { freePort, sleep, until } from './support.mjs'

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
async function startServer(smtpPort, { extraArgs = [], label = 'server', sharedServices = false } = {}) {
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
  const logFile = join(outDir, `${label}.log`)
  const out = createWriteStream(logFile)
  const extra = [...extraArgs]
  let redis = null
  let dropDb = null
  if (sharedServices) {
    // a second, short-lived server: the machine's PostgreSQL and Redis start faster than embedded ones
    const db = `parley_e2e_${stamp.replace(/[^a-z0-9]/g, '')}_${label.replace(/[^a-z0-9]/g, '')}`
    const made = spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', db], { stdio: 'ignore' })
    const redisUp = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG'
    if (made.status === 0 && redisUp) {
      extra.push(`--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/${db}`, '--spring.datasource.username=postgres', '--spring.datasource.password=', '--spring.data.redis.url=redis://127.0.0.1:6379', `--parley.redis.key-prefix=${db}:`)
      dropDb = () => spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--if-exists', '--force', db], { stdio: 'ignore' })
    }
  }
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
  log(`starting ${label}: ${JAVA} ${args.join(' ')}`)
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
    600000, // a loaded shared machine can take minutes to start the JVM and embedded PostgreSQL
    500,
  ).catch((e) => {
    // never leave a server (or its database) behind when it did not come up in time
    if (exited === null) proc.kill('SIGKILL')
    redis?.kill('SIGTERM')
    dropDb?.()
    if (exited !== null) throw new Error(`server exited with ${exited}; see ${logFile}`)
    throw e
  })
  log(`${label} UP in ${((Date.now() - t0) / 1000).toFixed(1)}s on ${publicUrl} (socket :${socketPort}), log ${logFile}`)
  return {
    url: publicUrl,
    dataDir,
    stop: async () => {
      if (exited !== null) return
      proc.kill('SIGTERM')
      await Promise.race([new Promise((r) => proc.on('exit', r)), sleep(15000)])
      if (exited === null) proc.kill('SIGKILL')
      redis?.kill('SIGTERM')
      dropDb?.()
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
// Uncaught page errors and console errors (other than the network noise a test provokes on
// purpose) fail the scenario in which they happen.
const pageErrors = []
function wire(page) {
  // generous: the suite must pass on a loaded shared machine too (waits end as soon as the condition holds)
  page.setDefaultTimeout(30000)
  page.setDefaultNavigationTimeout(90000)
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket|net::ERR/.test(m.text())) pageErrors.push(`console: ${m.text()}`)
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

// The production bundle has no window.__parley: the suite reads what the UI exposes.
async function waitOnline(page) {
  await page.locator('.app-shell[data-conn=online]').waitFor({ timeout: 20000 })
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

/** A stored preference as another tab would set it (the app follows `storage` events). */
async function setPref(page, key, value) {
  await page.evaluate(
    ([k, v]) => {
      localStorage.setItem(k, v)
      window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: v, storageArea: localStorage }))
    },
    [key, value],
  )
}
async function setTheme(page, theme) {
  await setPref(page, 'parley.theme', theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
}
async function setLang(page, lang) {
  await setPref(page, 'parley.lang', lang)
  await page.waitForFunction((l) => document.documentElement.lang === l, lang)
}
async function dismissToasts(page) {
  for (const x of await page.locator('[data-testid=toast] .toast-x').all()) await x.click().catch(() => {})
}
async function shootBoth(page, name) {
  // toasts are transient: keep them out of the reference screenshots
  await dismissToasts(page)
  for (const theme of ['light', 'dark']) {
    await setTheme(page, theme)
    await sleep(150)
    await page.screenshot({ path: join(shotDir, `${name}-${theme}.png`) })
  }
  await setTheme(page, 'light')
}

// ---------- accessibility: axe-core, serious and critical, WCAG 2.x A/AA up to 2.2 ----------
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
async function axeViolations(page) {
  // evaluated rather than added as a <script>: the app's CSP (script-src 'self') rightly blocks inline scripts
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource)
  const found = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`) }))
  }, AXE_TAGS)
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
/** Screenshot and axe check of the current screen in both themes; returns the violations found. */
async function auditScreen(page, name) {
  await dismissToasts(page)
  const problems = []
  for (const theme of ['light', 'dark']) {
    await setTheme(page, theme)
    await sleep(120)
    await page.screenshot({ path: join(shotDir, `${name}-${theme}.png`) })
    for (const v of await axeViolations(page)) problems.push(`${name} (${theme}): ${v.id} [${v.impact}] ${v.help}\n      ${v.nodes.join('\n      ')}`)
  }
  await setTheme(page, 'light')
  return problems
}

/** WCAG contrast ratio between an element's text colour and the first opaque background behind it. */
async function contrastOf(locator) {
  return locator.evaluate((el) => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number)
    const lum = ([r, g, b]) => {
      const f = (x) => ((x /= 255) <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4)
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    let bg = null
    for (let n = el; n && !bg; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor)
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.99)) bg = c
    }
    const fg = rgb(getComputedStyle(el).color)
    const [a, b] = [lum(fg), lum(bg ?? [255, 255, 255])].sort((x, y) => y - x)
    return (a + 0.05) / (b + 0.05)
  })
}

/** GET with a chosen Accept-Encoding, body left as sent (Node's fetch would decode it). */
function rawGet(url, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Two boxes overlap (touching edges do not count). */
const overlaps = (a, b) => !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

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
      await pa.getByTestId('conv-status').filter({ hasText: 'typing' }).waitFor({ timeout: 15000 })
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
      await pa.getByRole('button', { name: 'Switch theme' }).click() // light → dark, through the UI
      await pa.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
      await pa2.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
      await setTheme(pa, 'light')
      await pa2.waitForFunction(() => document.documentElement.dataset.theme === 'light')
      // settings keeps only "Delete account", in its own card behind a confirmation; log out is in the menu
      await pa2.goto(`${BASE}/settings`)
      await pa2.getByRole('heading', { name: 'Active sessions' }).waitFor()
      assert((await pa2.getByRole('button', { name: 'Log out' }).count()) === 0, 'no log out button among the settings cards')
      const danger = pa2.locator('section.card', { has: pa2.getByRole('heading', { name: 'Delete account' }) })
      assert((await danger.getByRole('button').count()) === 1, 'the delete-account card holds only its own button')
      await danger.getByRole('button', { name: 'Delete account' }).click()
      await danger.getByText('permanently deletes your account').waitFor() // the confirmation comes first
      // sign-out in one tab signs the other out; sign-in in one signs the other in
      await pa2.getByTestId('open-menu').click()
      await pa2.getByRole('menu').getByRole('menuitem', { name: 'Log out' }).click()
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
    'offline: the banner says so; an uncached conversation says so and loads when back; failed sends go out by themselves, in order, once',
    async () => {
      await pb.goto(`${BASE}/`) // nothing cached: the conversation with Alice is loaded only when opened
      await pb.locator('[data-testid=dialog]', { hasText: A.name }).waitFor()
      await waitOnline(pb)
      await pb.context().setOffline(true) // the app reacts to the browser's `offline` event by dropping the socket
      const banner = pb.getByTestId('conn-banner')
      await banner.filter({ hasText: 'You are offline' }).waitFor()
      assert(!/Reconnecting/.test(await banner.innerText()), 'offline is not called reconnecting')
      await pb.locator('[data-testid=dialog]', { hasText: A.name }).click()
      await pb.getByTestId('conv-offline').waitFor() // not a blank pane
      for (const m of ['while you were away 1', 'while you were away 2', 'while you were away 3']) await send(pa, m)
      await expectBubble(pa, 'while you were away 3')
      // Bob sends twice while offline: both fail, in order
      await send(pb, 'offline first')
      await send(pb, 'offline second')
      await until('both offline sends failed', async () => (await pb.locator('[data-testid=message][data-state=failed]').count()) === 2)
      assert((await bubble(pb, 'while you were away 1').count()) === 0, 'offline page did not get messages')
      await pb.context().setOffline(false)
      await waitOnline(pb)
      await pb.getByTestId('conv-offline').waitFor({ state: 'detached' })
      for (const m of ['while you were away 1', 'while you were away 2', 'while you were away 3']) await expectBubble(pb, m)
      // no click on "Retry": the failed messages go out by themselves after reconnecting
      for (const m of ['offline first', 'offline second']) {
        await pb.locator('[data-testid=message][data-state=sent], [data-testid=message][data-state=read]').filter({ hasText: m }).waitFor()
      }
      await send(pb, 'marker after the retries')
      await expectBubble(pa, 'marker after the retries')
      // what the server stored (a fresh load, not Alice's live view): each once, in the order written
      await pa.reload()
      await openChat(pa, B.name)
      await expectBubble(pa, 'marker after the retries')
      const seen = (await texts(pa)).filter((t) => t.startsWith('offline ') || t === 'marker after the retries')
      assert(JSON.stringify(seen) === JSON.stringify(['offline first', 'offline second', 'marker after the retries']), `delivered once each, in order: ${JSON.stringify(seen)}`)
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
      await setLang(pa, 'ru')
      await pa.getByText('в сети').first().waitFor()
      await pa.screenshot({ path: join(shotDir, 'workspace-conversation-ru-light.png') })
      await setLang(pa, 'en')
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
      await until('the newest message scrolled into view', () => bubble(pb, 'look down here').isVisible(), 5000)
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
      const toast = pa.getByTestId('toast').filter({ hasText: 'New message from' })
      await toast.waitFor()
      // it hides no header (nor its back button) and no composer
      const tBox = await toast.boundingBox()
      for (const el of await pa.locator('header, .composer').all()) assert(!overlaps(tBox, await el.boundingBox()), 'toast covers no header or composer')
      // a click opens the conversation; once it is open the toast is gone
      await toast.getByTestId('toast-open').click()
      await pa.getByTestId('conv-name').filter({ hasText: B.name }).waitFor()
      await toast.waitFor({ state: 'detached', timeout: 3000 })
      await pa.goto(`${BASE}/settings`)
      await waitOnline(pa)
      await send(pb, 'ping again while in settings')
      await toast.filter({ hasText: 'ping again' }).waitFor()
      await pa.locator('[data-testid=dialog]', { hasText: B.name }).click() // opened another way: the toast goes too
      await toast.waitFor({ state: 'detached', timeout: 3000 })
      await pa.goto(`${BASE}/settings`)
      await waitOnline(pa)
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
    'sign-in errors: focus stays on the form; server errors in Russian; the language button is named by its text',
    async () => {
      const p = await newPage()
      await p.goto(`${BASE}/signin`)
      await p.getByLabel('Email').fill(A.email)
      await p.getByLabel('Password', { exact: true }).fill('wrong-password-1')
      await p.getByRole('button', { name: 'Sign in' }).click()
      await p.getByText('Invalid password or email').waitFor()
      const focused = await p.evaluate(() => ({ tag: document.activeElement?.tagName, type: document.activeElement?.getAttribute('type'), invalid: document.activeElement?.getAttribute('aria-invalid') }))
      assert(focused.tag === 'INPUT' && focused.type === 'email' && focused.invalid === 'true', `focus on the first invalid field, got ${JSON.stringify(focused)}`)
      // the language button: its accessible name is its visible text, in the language it offers
      const langBtn = p.getByRole('button', { name: 'RU', exact: true })
      assert((await langBtn.innerText()).trim() === 'RU', 'visible text RU')
      assert((await langBtn.getAttribute('lang')) === 'ru', 'lang="ru" on the RU button')
      await langBtn.click()
      await p.getByRole('button', { name: 'EN', exact: true }).waitFor()
      assert((await p.getByRole('button', { name: 'EN', exact: true }).getAttribute('lang')) === 'en', 'lang="en" on the EN button')
      await p.getByRole('button', { name: 'Войти' }).click()
      await p.getByText('Неверный пароль или адрес почты').waitFor()
      assert((await p.getByText('Invalid password or email').count()) === 0, 'no English server text in the Russian UI')
      assert(await p.evaluate(() => document.activeElement?.tagName === 'INPUT'), 'focus still in the form after the second failure')
      await p.context().close()
    },
  ],
  [
    'static assets: Brotli and gzip precompressed with immutable caching and Vary; no window.__parley in the production bundle',
    async () => {
      const html = (await rawGet(`${BASE}/`)).body.toString()
      const assets = [...html.matchAll(/\/assets\/[\w.-]+\.(?:js|css)/g)].map((m) => m[0])
      assert(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `index.html links the bundle: ${assets}`)
      for (const a of assets) {
        const plain = await rawGet(`${BASE}${a}`)
        assert(plain.status === 200 && !plain.headers['content-encoding'], `${a}: identity without Content-Encoding`)
        assert(/accept-encoding/i.test(plain.headers.vary ?? ''), `${a}: identity response has Vary: Accept-Encoding (got ${plain.headers.vary})`)
        for (const [accept, coding, decode] of [
          ['br, gzip', 'br', brotliDecompressSync],
          ['gzip, deflate, br, zstd', 'br', brotliDecompressSync], // Chromium's order: Brotli still wins
          ['gzip, deflate', 'gzip', gunzipSync],
          ['gzip, br;q=0', 'gzip', gunzipSync],
        ]) {
          const r = await rawGet(`${BASE}${a}`, accept)
          assert(r.status === 200 && r.headers['content-encoding'] === coding, `${a} with ${accept}: Content-Encoding ${coding} (got ${r.headers['content-encoding']})`)
          assert(/accept-encoding/i.test(r.headers.vary ?? ''), `${a} (${coding}): Vary: Accept-Encoding`)
          assert(/immutable/.test(r.headers['cache-control'] ?? '') && /max-age=31536000/.test(r.headers['cache-control']), `${a} (${coding}): immutable caching kept (${r.headers['cache-control']})`)
          assert(r.body.length < plain.body.length * 0.6, `${a} (${coding}): smaller (${r.body.length} vs ${plain.body.length})`)
          assert(decode(r.body).equals(plain.body), `${a} (${coding}): decodes to the same bytes`)
        }
        if (a.endsWith('.js')) assert(!plain.body.toString().includes('__parley'), `${a}: the production bundle does not contain __parley`)
        if (a.endsWith('.js')) log(`  ${a}: ${plain.body.length} B, br ${(await rawGet(`${BASE}${a}`, 'br')).body.length} B, gzip ${(await rawGet(`${BASE}${a}`, 'gzip')).body.length} B`)
      }
      assert(!(await pa.evaluate(() => '__parley' in window)), 'no window.__parley in the running app')
    },
  ],
  [
    'with email confirmation off, sign-up signs in; deep links: a stranger by name, a missing id, your own id',
    async () => {
      const srv = await noConfirmServer
      const X = { name: `Xena ${stamp.slice(-4)}`, email: `xena.${stamp}@example.test` }
      const Y = { name: `Yuri ${stamp.slice(-4)}`, email: `yuri.${stamp}@example.test` }
      const signUpDirect = async (p, who) => {
        await p.goto(`${srv.url}/signup`)
        await p.getByLabel('Name').fill(who.name)
        await p.getByLabel('Email').fill(who.email)
        await p.getByText('Email is available').waitFor()
        await p.getByLabel('Password', { exact: true }).fill(password)
        await p.getByRole('button', { name: 'Create account' }).click()
        await p.locator('#people-search').waitFor() // signed in, no "Check your email"
        assert((await p.getByRole('heading', { name: 'Check your email' }).count()) === 0, 'no confirmation page')
        return p.evaluate(() => JSON.parse(localStorage.getItem('parley.auth')).userID)
      }
      const px = await newPage()
      const py = await newPage()
      const xId = await signUpDirect(px, X)
      const yId = await signUpDirect(py, Y)
      await py.context().close()
      // someone with no shared history: the name comes from the server, not "?"
      await px.goto(`${srv.url}/c/${yId}`)
      await px.getByTestId('conv-name').filter({ hasText: Y.name }).waitFor()
      await px.getByTestId('composer').waitFor()
      // an id nobody has: "not found", no composer
      await px.goto(`${srv.url}/c/987654321`)
      await px.getByTestId('peer-unavailable').getByText('User not found').waitFor()
      assert((await px.getByTestId('composer').count()) === 0, 'no composer for a missing user')
      // your own id: refused, no composer
      await px.goto(`${srv.url}/c/${xId}`)
      await px.getByTestId('peer-unavailable').getByText('your own account').waitFor()
      assert((await px.getByTestId('composer').count()) === 0, 'no composer for yourself')
      await px.context().close()
    },
  ],
  [
    'every screen passes axe (serious/critical, WCAG 2.2 AA) in light and dark, desktop and phone; screenshots of each; contrast of avatars and the selected row',
    async () => {
      const problems = []
      for (const mobile of [false, true]) {
        const v = mobile ? 'phone' : 'desktop'
        const p = await newPage({ mobile })
        await p.goto(`${BASE}/signin`)
        await p.getByLabel('Email').waitFor()
        problems.push(...(await auditScreen(p, `${v}-sign-in`)))
        await p.goto(`${BASE}/signup`)
        await p.getByLabel('Name').waitFor()
        problems.push(...(await auditScreen(p, `${v}-sign-up`)))
        await signIn(p, A.email)
        await p.locator('[data-testid=dialog]', { hasText: B.name }).waitFor()
        problems.push(...(await auditScreen(p, `${v}-workspace`)))
        await openChat(p, B.name)
        await p.getByTestId('message').first().waitFor()
        problems.push(...(await auditScreen(p, `${v}-conversation`)))
        if (!mobile) {
          for (const theme of ['light', 'dark']) {
            await setTheme(p, theme)
            const row = p.locator('[data-testid=dialog].active')
            for (const part of ['.dialog-time', '.dialog-last', '.dialog-name']) {
              const c = await contrastOf(row.locator(part))
              assert(c >= 4.5, `selected row ${part} contrast ${c.toFixed(2)} (${theme})`)
            }
            for (const av of await p.locator('.avatar').all()) {
              const c = await contrastOf(av)
              assert(c >= 4.5, `avatar initials contrast ${c.toFixed(2)} (${theme})`)
            }
          }
          await setTheme(p, 'light')
        }
        await p.goto(`${BASE}/settings`)
        await p.getByRole('heading', { name: 'Active sessions' }).waitFor()
        problems.push(...(await auditScreen(p, `${v}-settings`)))
        await p.context().close()
      }
      assert(problems.length === 0, `axe found:\n    ${problems.join('\n    ')}`)
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
      // offline on a phone: the conversation pane says so (the sidebar with the list is hidden)
      await m.context().setOffline(true)
      await m.getByTestId('conn-banner').filter({ hasText: 'You are offline' }).waitFor()
      assert(await m.getByTestId('conn-banner').isVisible(), 'offline banner visible on a phone')
      await m.context().setOffline(false)
      await m.getByTestId('conn-banner').waitFor({ state: 'detached', timeout: 20000 })
      // a new-message toast on a phone leaves the header and its back button alone
      await m.goto(`${BASE}/settings`)
      await waitOnline(m)
      await send(pa, 'toast on the phone')
      const toast = m.getByTestId('toast').filter({ hasText: 'toast on the phone' })
      await toast.waitFor()
      assert(!overlaps(await toast.boundingBox(), await m.locator('header').first().boundingBox()), 'phone toast clear of the header')
      await toast.getByTestId('toast-open').click()
      await m.getByTestId('conv-name').filter({ hasText: A.name }).waitFor()
      await toast.waitFor({ state: 'detached', timeout: 3000 })
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
let smtp, server, second, noConfirmServer
try {
  smtp = await startSmtp()
  log(`SMTP sink on :${smtp.port}`)
  server = await startServer(smtp.port)
  BASE = server.url
  // a second server without email confirmation, started now so it is up when its scenario runs
  noConfirmServer = startServer(smtp.port, { label: 'server-noconfirm', sharedServices: true, extraArgs: ['--parley.auth.require-email-confirmation=false'] })
  noConfirmServer.then((s) => (second = s)).catch(() => {})
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  let broken = false
  for (const [i, [name, fn]] of scenarios.entries()) {
    if (ONLY && i > 0 && !ONLY.split('|').some((o) => name.includes(o))) continue // the first scenario creates the users
    if (broken) {
      log(`SKIP (earlier setup failed) ${name}`)
      failed++
      continue
    }
    const t0 = Date.now()
    const errorsBefore = pageErrors.length
    try {
      await fn()
      const fresh = [...new Set(pageErrors.slice(errorsBefore))]
      if (fresh.length) throw new Error(`uncaught errors in the page:\n  ${fresh.slice(0, 8).join('\n  ')}`)
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
  if (pageErrors.length) log(`browser errors (each failed its scenario):\n  ${[...new Set(pageErrors)].slice(0, 15).join('\n  ')}`)
  await browser?.close().catch(() => {})
  await server?.stop().catch(() => {})
  await second?.stop().catch(() => {})
  if (second?.dataDir && !KEEP) rmSync(second.dataDir, { recursive: true, force: true })
  await smtp?.stop().catch(() => {})
  if (server?.dataDir && !KEEP) rmSync(server.dataDir, { recursive: true, force: true })
}
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
