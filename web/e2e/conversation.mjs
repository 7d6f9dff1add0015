// Conversation-pane checks (issue 17: day separators, drafts, unread, links, message actions,
// screen readers, jump to latest, list details, phones; issue 9: the unread badge equals the
// server's count). run.mjs passes its helpers in; the scenarios use their own users (registered
// and confirmed over REST) so unread counts are theirs alone.
import { join } from 'node:path'

const NEWEST = '9223372036854775807'

export function conversationScenarios(h) {
  const { newPage, waitOnline, send, bubble, expectBubble, until, sleep, assert, shootBoth, setTheme, log, shotDir, linkFor, password } = h
  const base = () => h.base()
  const stamp = Date.now().toString(36).slice(-5)
  const D = { name: `Dave ${stamp}`, email: `dave.${stamp}@example.test` }
  const E = { name: `Erin ${stamp}`, email: `erin.${stamp}@example.test` }
  const F = { name: `Fay ${stamp}`, email: `fay.${stamp}@example.test` }
  let pd // Dave's desktop page

  // ---------- REST helpers (the other side of the conversation) ----------
  async function call(method, path, { token, body } = {}) {
    const r = await fetch(`${base()}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const j = await r.json().catch(() => ({}))
    return { status: r.status, ok: r.ok, json: j }
  }
  async function api(method, path, opts = {}) {
    const r = await call(method, path, opts)
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`)
    return r.json.data
  }
  async function login(u) {
    const t = await api('POST', '/api/auth/login', { body: { email: u.email, password, os: 'e2e', browser: 'node' } })
    u.id = t.userID
    u.token = t.accessToken
  }
  /** As user u; the suite runs with short-lived access tokens, so sign in again when one expires. */
  async function as(u, method, path, body) {
    let r = await call(method, path, { token: u.token, body })
    if (r.status === 401) {
      await login(u)
      r = await call(method, path, { token: u.token, body })
    }
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`)
    return r.json.data
  }
  async function register(u) {
    await api('POST', '/api/user', { body: { name: u.name, email: u.email, password } })
    const link = await until(`confirmation email to ${u.email}`, () => linkFor(u.email, '/email/confirm-email'), 20000)
    const q = new URL(link).search
    await api('GET', `/api/email/confirm-email${q}`)
    await login(u)
  }
  const say = (from, to, message) => as(from, 'POST', `/api/message/${to.id}`, { message })
  const historyOf = (who, peer, take = 100) => as(who, 'GET', `/api/message/${peer.id}?take=${take}&before=${NEWEST}`)
  const dialogsOf = (who) => as(who, 'GET', '/api/dialog')

  async function signInAs(page, u) {
    await page.goto(`${base()}/signin`)
    await page.getByLabel('Email').fill(u.email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#people-search').waitFor()
    await waitOnline(page)
  }
  const row = (page, u) => page.locator('[data-testid=dialog]', { hasText: u.name })
  async function open(page, u) {
    await row(page, u).click()
    await page.getByTestId('conv-name').filter({ hasText: u.name }).waitFor()
  }
  /** Rectangles of elements (page coordinates), for overlap and visibility checks. */
  const rects = (page, selector) =>
    page.$$eval(selector, (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect()
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height, text: e.textContent }
      }),
    )
  const viewOf = (page) => page.getByTestId('messages').evaluate((el) => {
    const r = el.getBoundingClientRect()
    return { top: r.top, bottom: r.bottom }
  })
  const fullyVisible = async (page, text) => {
    const v = await viewOf(page)
    const b = await bubble(page, text).first().boundingBox()
    return !!b && b.y >= v.top - 1 && b.y + b.height <= v.bottom + 1
  }

  return [
    [
      'conversation pane: setup, three more people (REST sign-up + confirm), Dave signs in',
      async () => {
        for (const u of [D, E, F]) await register(u)
        await say(E, D, 'hello Dave, Erin here')
        await say(D, E, 'hi Erin')
        pd = await newPage()
        await signInAs(pd, D)
        await row(pd, E).waitFor()
      },
    ],
    [
      'conversation pane: day separators: one date chip sticks at a time, none overlap, readable in both themes',
      async () => {
        // history from three earlier days: the server stamps messages now, so this page sees
        // them dated back (a rewrite of the history responses, nothing else)
        for (const [day, n] of [['d3', 12], ['d2', 12], ['d1', 12]]) {
          for (let i = 1; i <= n; i++) await say(i % 3 ? E : D, i % 3 ? D : E, `${day} message ${i}: a line long enough to take some room in the bubble`)
        }
        const p = await newPage()
        await p.route(/\/api\/message\/\d+\?/, async (route) => {
          const res = await route.fetch()
          const json = await res.json()
          for (const m of json.data ?? []) {
            const back = /^d(\d) /.exec(m.message)
            if (back) {
              const shift = Number(back[1]) * 86400000
              m.createdAt = new Date(Date.parse(m.createdAt) - shift).toISOString()
              m.updatedAt = m.createdAt
            }
          }
          await route.fulfill({ response: res, json })
        })
        await signInAs(p, D)
        await open(p, E)
        await expectBubble(p, 'd1 message 12')
        await until('four days rendered', async () => (await p.locator('.day-sep').count()) >= 4)
        const list = p.getByTestId('messages')
        const check = async (where) => {
          const view = await viewOf(p)
          const chips = (await rects(p, '.day-sep span')).filter((r) => r.bottom > view.top && r.top < view.bottom)
          for (let i = 0; i < chips.length; i++)
            for (let j = i + 1; j < chips.length; j++) {
              const a = chips[i]
              const b = chips[j]
              const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0 && Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0
              assert(!overlap, `${where}: chips "${a.text}" and "${b.text}" overlap`)
            }
          const stuck = chips.filter((r) => r.top < view.top + 30)
          assert(stuck.length <= 1, `${where}: one chip at the top, got ${stuck.map((r) => r.text).join(' + ')}`)
        }
        for (const frac of [1, 0.75, 0.5, 0.25, 0.1]) {
          await list.evaluate((el, f) => el.scrollTo(0, (el.scrollHeight - el.clientHeight) * f), frac)
          await sleep(150)
          await check(`scrolled to ${frac * 100}%`)
        }
        // readable: the chip's text against its own (opaque) background, both themes
        const contrast = () =>
          p.$eval('.day-sep span', (el) => {
            const rgb = (c) => c.match(/[\d.]+/g).map(Number)
            const lum = ([r, g, b]) => {
              const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
            }
            const cs = getComputedStyle(el)
            const bg = rgb(cs.backgroundColor)
            const fg = rgb(cs.color)
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x)
            return { ratio: (a + 0.05) / (b + 0.05), opaque: bg.length < 4 || bg[3] === 1 }
          })
        await list.evaluate((el) => el.scrollTo(0, el.scrollHeight * 0.45))
        await sleep(150)
        for (const theme of ['light', 'dark']) {
          await setTheme(p, theme)
          const c = await contrast()
          assert(c.opaque && c.ratio >= 4.5, `${theme}: date chip contrast ${c.ratio.toFixed(2)}:1, opaque ${c.opaque}`)
        }
        await shootBoth(p, 'conversation-days')
        await p.context().close()
      },
    ],
    [
      'conversation pane: unread: opens at the first of 40 unread with a divider, marks read only what was seen, late arrivals wait until seen; badge = server count',
      async () => {
        await say(D, F, 'hi Fay')
        await pd.reload()
        await waitOnline(pd)
        for (let i = 1; i <= 40; i++) await say(F, D, `u${String(i).padStart(2, '0')} unread message from Fay`)
        const badge = row(pd, F).getByTestId('unread-badge')
        await badge.filter({ hasText: '40' }).waitFor()
        const reads = []
        pd.on('request', (r) => {
          const m = /\/api\/message\/read\?message-id=(\d+)/.exec(r.url())
          if (m) reads.push(Number(m[1]))
        })
        await open(pd, F)
        const divider = pd.getByTestId('unread-divider')
        await divider.waitFor()
        const next = await divider.evaluate((el) => el.nextElementSibling?.querySelector('.msg-text')?.textContent)
        assert(next?.startsWith('u01 '), `divider right before the first unread (got ${next})`)
        assert(await fullyVisible(pd, 'u01 unread'), 'the first unread message is on screen')
        assert(!(await fullyVisible(pd, 'u40 unread')), 'the view did not jump to the bottom')
        await shootBoth(pd, 'conversation-unread')
        // the server's read watermark is what was on screen
        const ids = Object.fromEntries((await historyOf(F, D)).map((m) => [m.message.slice(0, 3), m]))
        await until('a read report', () => reads.length > 0)
        const upTo = await until('read watermark on the server', async () => {
          const read = (await historyOf(F, D)).filter((m) => m.senderID === F.id && m.isReaded && m.message.startsWith('u'))
          return read.length ? read.length : 0
        })
        assert(upTo < 40, `only what was seen is read (${upTo} of 40)`)
        const firstUnseen = `u${String(upTo + 1).padStart(2, '0')}`
        assert(!(await fullyVisible(pd, `${firstUnseen} unread`)), `${firstUnseen} was not fully on screen yet it is unread: consistent`)
        let shownCount = 0
        await until('badge = server count', async () => {
          const server = (await dialogsOf(D)).find((d) => d.receiverID === F.id).newMessagesCount
          const readNow = (await historyOf(F, D)).filter((m) => m.senderID === F.id && m.isReaded && m.message.startsWith('u')).length
          shownCount = (await badge.count()) ? Number(await badge.textContent()) : 0
          return server === 40 - readNow && shownCount === server
        })
        log(`  40 unread: ${upTo} on screen were marked read, badge shows ${shownCount}`)
        // a message arriving while scrolled up stays unread until it is scrolled into view
        const late = await say(F, D, 'late arrival while scrolled up')
        await pd.getByTestId('jump-count').waitFor()
        await expectBubble(pd, 'late arrival while scrolled up')
        // marker: scroll a little further (still above the end): a read report follows, and it
        // must stop short of the late message
        const n = reads.length
        await pd.getByTestId('messages').evaluate((el) => el.scrollBy(0, el.clientHeight * 0.6))
        await until('the next read report', () => reads.length > n)
        assert(reads.at(-1) < late.messageID && reads.at(-1) > ids[firstUnseen.slice(0, 3)].messageID - 1, `report ${reads.at(-1)} covers what came into view, not the late ${late.messageID}`)
        const lateNow = (await historyOf(F, D, 5)).find((m) => m.messageID === late.messageID)
        assert(!lateNow.isReaded, 'the late message is still unread on the server')
        await pd.getByTestId('jump-new').click()
        await until('late message read once seen', async () => (await historyOf(F, D, 5)).find((m) => m.messageID === late.messageID).isReaded)
        await badge.waitFor({ state: 'detached' })
        assert((await dialogsOf(D)).find((d) => d.receiverID === F.id).newMessagesCount === 0, 'server count 0')
      },
    ],
    [
      'conversation pane: unread badge: a new contact writing three times shows 3 (new_dialog and new_message in any order)',
      async () => {
        const G = { name: `Gil ${stamp}`, email: `gil.${stamp}@example.test` }
        await register(G)
        await pd.goto(`${base()}/`)
        await waitOnline(pd)
        for (const t of ['g1', 'g2', 'g3']) await say(G, D, `${t} from a new contact`)
        const badge = row(pd, G).getByTestId('unread-badge')
        await badge.filter({ hasText: '3' }).waitFor()
        // stays at the server's count (no late +1 from new_dialog, no reload drift)
        await pd.evaluate(() => new Promise((r) => setTimeout(r, 1500)))
        const server = (await dialogsOf(D)).find((d) => d.receiverID === G.id).newMessagesCount
        assert(server === 3 && (await badge.textContent()) === '3', `badge ${await badge.textContent()} = server ${server} = 3`)
      },
    ],
    [
      'conversation pane: drafts: kept per conversation across switching, reload and tabs; "Draft:" in the list',
      async () => {
        await open(pd, E)
        await pd.getByTestId('composer').fill('half-written note to Erin')
        await open(pd, F)
        const last = row(pd, E).getByTestId('dialog-last')
        await last.filter({ hasText: 'Draft: half-written note to Erin' }).waitFor()
        await open(pd, E)
        assert((await pd.getByTestId('composer').inputValue()) === 'half-written note to Erin', 'draft back in the composer')
        await open(pd, F)
        await pd.reload()
        await last.filter({ hasText: 'Draft: half-written note to Erin' }).waitFor()
        const tab2 = await pd.context().newPage()
        await tab2.goto(`${base()}/`)
        await row(tab2, E).getByTestId('dialog-last').filter({ hasText: 'Draft: half-written note to Erin' }).waitFor()
        await open(pd, E)
        await pd.getByTestId('composer').fill('changed in the first tab')
        await row(tab2, E).getByTestId('dialog-last').filter({ hasText: 'Draft: changed in the first tab' }).waitFor()
        await pd.getByTestId('composer').press('Enter')
        await expectBubble(pd, 'changed in the first tab')
        await row(tab2, E).getByTestId('dialog-last').filter({ hasText: 'You: changed in the first tab' }).waitFor()
        await tab2.close()
      },
    ],
    [
      'conversation pane: links: https, www and mailto become safe new-tab links, markup stays text, long URLs wrap',
      async () => {
        const longUrl = `https://example.com/${'very-long-path-segment-'.repeat(12)}end`
        await say(E, D, `see https://example.com/a?b=1&c=2, www.example.org and mailto:erin@example.test <img src=x onerror="window.__pwned=1"><b>bold</b> ${longUrl}`)
        const b = bubble(pd, 'see https://example.com')
        await b.waitFor()
        const links = await b.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), rel: a.rel, target: a.target })))
        const hrefs = links.map((l) => l.href)
        assert(
          JSON.stringify(hrefs) === JSON.stringify(['https://example.com/a?b=1&c=2', 'https://www.example.org/', 'mailto:erin@example.test', longUrl]),
          `links ${JSON.stringify(hrefs)}`,
        )
        assert(links.every((l) => l.rel === 'noopener noreferrer' && l.target === '_blank'), `rel/target ${JSON.stringify(links)}`)
        assert((await b.locator('img, b').count()) === 0, 'no markup injected')
        assert(!(await pd.evaluate(() => window.__pwned)), 'no script ran')
        const fits = await b.evaluate((el) => {
          const bub = el.querySelector('.bubble').getBoundingClientRect()
          const list = el.closest('[data-testid=messages]')
          return bub.right <= list.getBoundingClientRect().right && list.scrollWidth <= list.clientWidth
        })
        assert(fits, 'the long URL wraps inside the bubble')
      },
    ],
    [
      'conversation pane: message actions: no layout shift on hover, "⋯" / right-click menu, one Tab stop per message, 44 px touch targets',
      async () => {
        await send(pd, 'my message to hover')
        const mine = bubble(pd, 'my message to hover')
        await pd.locator('[data-testid=message][data-state=sent], [data-testid=message][data-state=read]').filter({ hasText: 'my message to hover' }).waitFor()
        await pd.mouse.move(5, 5)
        const geometry = () =>
          pd.getByTestId('messages').evaluate((el) => ({
            height: el.scrollHeight,
            top: el.scrollTop,
            rows: [...el.querySelectorAll('[data-testid=message]')].slice(-4).map((m) => Math.round(m.getBoundingClientRect().top)),
          }))
        const before = await geometry()
        await mine.locator('.bubble').hover()
        await sleep(200)
        const after = await geometry()
        assert(JSON.stringify(before) === JSON.stringify(after), `hover moved the list: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
        // one Tab stop per message at most (links inside the text aside)
        const stops = await pd.$$eval('[data-testid=message]', (ms) =>
          ms.map((m) => [...m.querySelectorAll('button, [tabindex], input, textarea, select')].filter((e) => !e.disabled && e.tabIndex >= 0).length),
        )
        assert(Math.max(...stops) <= 1, `Tab stops per message: ${Math.max(...stops)}`)
        // the "⋯" button opens a menu, keyboard-operable, Esc returns focus
        await mine.getByRole('button', { name: 'Message actions' }).click()
        const menu = pd.getByRole('menu')
        await menu.waitFor()
        const items = await menu.getByRole('menuitem').allInnerTexts()
        assert(JSON.stringify(items) === JSON.stringify(['Edit', 'Copy text', 'Delete']), `menu items ${items}`)
        assert(await pd.evaluate(() => document.activeElement?.getAttribute('role') === 'menuitem'), 'focus moves into the menu')
        await pd.keyboard.press('ArrowDown')
        assert((await pd.evaluate(() => document.activeElement?.textContent)) === 'Copy text', 'arrow keys move between items')
        await pd.keyboard.press('Escape')
        await menu.waitFor({ state: 'detached' })
        assert(await pd.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'msg-more'), 'focus back on the button')
        assert(/\/c\/\d+$/.test(pd.url()), 'Esc in the menu did not close the conversation')
        // right-click
        await mine.locator('.msg-text').click({ button: 'right' })
        await menu.waitFor()
        await pd.getByRole('menuitem', { name: 'Edit' }).click()
        await pd.getByText('Editing message').waitFor()
        await pd.getByTestId('composer').press('Escape')
        await pd.getByText('Editing message').waitFor({ state: 'detached' })
        // phone: long press opens the menu; every target is at least 44 px
        const m = await newPage({ mobile: true })
        await signInAs(m, D)
        await open(m, E)
        const own = bubble(m, 'my message to hover').locator('.bubble')
        await own.waitFor()
        const box = await own.boundingBox()
        const cdp = await m.context().newCDPSession(m)
        const point = [{ x: box.x + box.width / 2, y: box.y + box.height / 2 }]
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point })
        await sleep(800)
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
        await m.getByRole('menu').waitFor()
        const sizes = await rects(m, '[role=menuitem], [data-testid=message] .msg-more')
        assert(sizes.every((r) => r.height >= 44 && r.width >= 44), `touch targets ${JSON.stringify(sizes.map((r) => [Math.round(r.width), Math.round(r.height)]))}`)
        await shootBoth(m, 'mobile-message-menu')
        await m.context().close()
      },
    ],
    [
      'conversation pane: screen readers: author per message, log named after the conversation, "New message from …" announced without the time',
      async () => {
        await open(pd, E)
        const log = pd.getByRole('log', { name: `Conversation with ${E.name}` })
        await log.waitFor()
        assert((await log.getAttribute('aria-live')) === 'off', 'the log itself does not announce (the announcer does)')
        await say(E, D, 'sr: a word from Erin')
        await send(pd, 'sr: a word from Dave')
        const theirs = bubble(pd, 'sr: a word from Erin').first()
        const mine = bubble(pd, 'sr: a word from Dave').first()
        await theirs.waitFor()
        await mine.waitFor()
        assert((await theirs.locator('.bubble').innerText()).startsWith(`${E.name}:`), 'their message names its author')
        assert((await mine.locator('.bubble').innerText()).startsWith('You:'), 'my message says it is mine')
        await pd.getByTestId('messages').evaluate((el) => el.scrollTo(0, el.scrollHeight))
        await sleep(300)
        await say(E, D, 'ping for the screen reader')
        await expectBubble(pd, 'ping for the screen reader')
        const said = await pd.getByTestId('announcer').textContent()
        assert(said === `New message from ${E.name}: ping for the screen reader`, `announcement "${said}"`)
      },
    ],
    [
      'conversation pane: jump to latest whenever scrolled away; the newest message stays in sight when the composer grows or the edit bar opens; Up edits, Esc closes',
      async () => {
        await open(pd, E)
        const list = pd.getByTestId('messages')
        await list.evaluate((el) => el.scrollTo(0, el.scrollHeight))
        const jump = pd.getByTestId('jump-new')
        await jump.waitFor({ state: 'detached' })
        await list.evaluate((el) => el.scrollBy(0, -500))
        await jump.waitFor()
        await jump.click()
        await jump.waitFor({ state: 'detached' })
        await until('at the bottom', () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2))
        const newest = (await pd.locator('[data-testid=message] .msg-text').allInnerTexts()).at(-1)
        const composer = pd.getByTestId('composer')
        await composer.fill('')
        await composer.focus()
        for (let i = 0; i < 6; i++) await pd.keyboard.press('Shift+Enter')
        await pd.keyboard.type('six lines')
        await sleep(200)
        assert(await fullyVisible(pd, newest), 'newest message visible with a tall composer')
        await composer.fill('')
        await sleep(100)
        // Up-arrow in an empty composer edits my last message; the edit bar keeps the newest in view
        await composer.press('ArrowUp')
        await pd.getByText('Editing message').waitFor()
        const mineLast = (await pd.locator('[data-testid=message].own .msg-text').allInnerTexts()).at(-1)
        assert((await composer.inputValue()) === mineLast, `editing my last message (${mineLast})`)
        await sleep(200)
        assert(await fullyVisible(pd, newest), 'newest message visible with the edit bar open')
        await composer.press('Escape')
        await pd.getByText('Editing message').waitFor({ state: 'detached' })
        assert(/\/c\/\d+$/.test(pd.url()), 'the first Esc only ends the edit')
        await composer.press('Escape')
        await pd.waitForURL(`${base()}/`)
        await pd.getByText('Select a conversation').waitFor()
      },
    ],
    [
      'conversation pane: conversation list: "You: " before my last message (also after a reload), full dates on timestamps',
      async () => {
        await open(pd, E)
        await send(pd, 'the last word is mine')
        await pd.locator('[data-testid=message][data-state=sent], [data-testid=message][data-state=read]').filter({ hasText: 'the last word is mine' }).waitFor()
        await pd.reload()
        await waitOnline(pd)
        const last = row(pd, E).getByTestId('dialog-last')
        await last.filter({ hasText: /^You: the last word is mine/ }).waitFor()
        await row(pd, F).getByTestId('dialog-last').filter({ hasText: 'late arrival' }).waitFor()
        assert(!/^You: /.test(await row(pd, F).getByTestId('dialog-last').innerText()), 'no "You:" on their message')
        const stamp = row(pd, E).locator('time')
        const title = await stamp.getAttribute('title')
        assert((await stamp.getAttribute('datetime')) && /\d{4}/.test(title ?? ''), `list time has a full date (${title})`)
        await open(pd, E)
        const t = await bubble(pd, 'the last word is mine').first().locator('time').getAttribute('title')
        assert(/\d{4}/.test(t ?? ''), `message time has a full date (${t})`)
      },
    ],
    [
      'conversation pane: phones: opening a conversation leaves the keyboard down; the back arrow goes back in history',
      async () => {
        const m = await newPage({ mobile: true })
        await signInAs(m, D)
        const start = await m.evaluate(() => history.length)
        await open(m, E)
        await m.getByTestId('composer').waitFor()
        await sleep(300)
        assert(!(await m.evaluate(() => document.activeElement?.id === 'composer-input')), 'composer not focused on a phone')
        const inChat = await m.evaluate(() => history.length)
        assert(inChat === start + 1, 'opening pushed one entry')
        await m.getByRole('button', { name: 'Back' }).click()
        await m.locator('#people-search').waitFor()
        assert((await m.evaluate(() => history.length)) === inChat, 'back did not push a new entry')
        await m.goForward()
        await m.getByTestId('conv-name').filter({ hasText: E.name }).waitFor()
        await m.screenshot({ path: join(shotDir, 'mobile-conversation-forward-light.png') })
        await m.context().close()
      },
    ],
  ]
}
