#!/usr/bin/env node
// The documented cluster, for real: nginx with THE README's configuration (README.md, "Behind one
// origin (nginx)": the ```nginx block, placeholders filled in here), two Parley nodes behind it on
// the machine's PostgreSQL and Redis, and two Chromium browsers on that one origin. They chat; the
// node holding their sockets is killed mid-chat; both reconnect through nginx to the other node,
// keep chatting, and every message shows exactly once on both sides, in order.
//   node web/e2e/cluster.mjs --jar server/target/parley.jar      (from the repo root)
// Options: --keep (keep the temp dir with nginx's config and logs), --signal SIGTERM (default SIGKILL).
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { freePort, sleep, until } from './support.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repoDir = resolve(here, '..', '..')
const outDir = join(repoDir, 'web', 'test-results', 'cluster')
mkdirSync(outDir, { recursive: true })

const argv = process.argv.slice(2)
const arg = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined)
const KEEP = argv.includes('--keep')
const KILL_SIGNAL = arg('--signal') || 'SIGKILL'
const baseCwd = process.env.INIT_CWD || process.cwd()
const JAR = arg('--jar') ? resolve(baseCwd, arg('--jar')) : null
const JAVA = process.env.PARLEY_JAVA || (existsSync('/usr/lib/jvm/temurin-25-jdk-amd64/bin/java') ? '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java' : 'java')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const NGINX = process.env.NGINX || ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync) || 'nginx'

const log = (...a) => console.log(`[cluster ${new Date().toISOString().slice(11, 19)}]`, ...a)
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`)
}

if (!JAR || !existsSync(JAR)) {
  console.error(`usage: node web/e2e/cluster.mjs --jar <path-to-parley.jar>  (jar not found: ${JAR})`)
  console.log('cluster e2e: FAIL')
  process.exit(2)
}

const tcpOpen = (port) =>
  new Promise((res) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => (s.destroy(), res(true)))
    s.on('error', () => res(false))
  })

/** Established TCP connections accepted on a local port (nginx → node websockets; plain requests do not stay open). */
function establishedOn(port) {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  let n = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (local?.endsWith(hexPort) && state === '01') n++ // 01 = ESTABLISHED
    }
  }
  return n
}

// ---------- the README's nginx configuration ----------
/** The ```nginx block of README.md's "Behind one origin (nginx)" section, placeholders filled in. */
function readmeNginxConfig(values) {
  const readme = readFileSync(join(repoDir, 'README.md'), 'utf8')
  const m = /### Behind one origin \(nginx\)[\s\S]*?```nginx\n([\s\S]*?)```/.exec(readme)
  if (!m) throw new Error('README.md has no ```nginx block under "Behind one origin (nginx)"')
  return m[1].replace(/\$\{([A-Z0-9_]+)\}/g, (_, name) => {
    if (!(name in values)) throw new Error(`README nginx block: no value for placeholder \${${name}}`)
    return values[name]
  })
}

async function startNginx(dir, values) {
  const conf = join(dir, 'nginx.conf')
  // Only what a server block needs around it (http context, own pid/logs/temp dirs); everything
  // about Parley is the README's block. The access log names the upstream, for diagnosis.
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
  log_format upstream '$remote_addr [$time_local] "$request" $status upstream=$upstream_addr $request_time';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # ---- README.md, "Behind one origin (nginx)" ----
${readmeNginxConfig(values)}
}
`,
  )
  // unprivileged: when the suite runs as root, nginx runs as nobody (it then owns its temp dir)
  const asRoot = process.getuid?.() === 0
  const ids = asRoot ? { uid: 65534, gid: 65534 } : {}
  if (asRoot) spawnSync('chown', ['-R', '65534:65534', dir])
  const args = ['-p', dir, '-c', conf, '-e', `${dir}/error.log`, '-g', 'daemon off; master_process on;']
  const test = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8', ...ids })
  if (test.status !== 0) throw new Error(`nginx -t refused the README's configuration:\n${test.stderr}`)
  log(`nginx ${NGINX} ${args.join(' ')}`)
  const proc = spawn(NGINX, args, { stdio: ['ignore', 'inherit', 'inherit'], ...ids })
  let exited = null
  proc.on('exit', (code, sig) => (exited = code ?? sig))
  await until('nginx listening', async () => {
    if (exited !== null) throw new Error(`nginx exited with ${exited}; see ${dir}/error.log`)
    return tcpOpen(values.LISTEN)
  }, 20000, 100)
  return {
    stop: async () => {
      if (exited !== null) return
      proc.kill('SIGQUIT') // graceful: finish open requests, then exit
      await Promise.race([new Promise((r) => proc.on('exit', r)), sleep(5000)])
      if (exited === null) proc.kill('SIGKILL')
    },
  }
}

// ---------- Parley nodes ----------
async function startNode(label, common) {
  const port = await freePort()
  const socketPort = await freePort()
  const logFile = join(outDir, `${label}.log`)
  const out = createWriteStream(logFile)
  const args = [
    '--enable-native-access=ALL-UNNAMED',
    '-XX:TieredStopAtLevel=1', // starts faster on a busy machine; this test is not about throughput
    '-jar',
    JAR,
    `--server.port=${port}`,
    `--parley.socket.port=${socketPort}`,
    `--parley.data-dir=${join(common.dir, label)}`,
    ...common.args,
  ]
  log(`starting ${label}: java ${args.join(' ')}`)
  const proc = spawn(JAVA, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  proc.stdout.pipe(out)
  proc.stderr.pipe(out)
  const node = { label, port, socketPort, logFile, exited: null }
  proc.on('exit', (code, sig) => (node.exited = code ?? sig))
  node.kill = async (signal) => {
    if (node.exited !== null) return
    const gone = new Promise((r) => proc.on('exit', r))
    proc.kill(signal)
    await Promise.race([gone, sleep(20000)])
    if (node.exited === null) {
      proc.kill('SIGKILL')
      await gone
    }
  }
  node.ready = until(
    `${label} health UP`,
    async () => {
      if (node.exited !== null) throw new Error(`${label} exited with ${node.exited}; see ${logFile}`)
      const r = await fetch(`http://127.0.0.1:${port}/actuator/health`)
      return (await r.json()).status === 'UP'
    },
    300000,
    500,
  )
  return node
}

/** GET through nginx over TLS, trusting only the test's own certificate. */
function viaNginx(url, ca) {
  return new Promise((res, rej) => {
    const req = httpsRequest(url, { ca }, (r) => {
      let body = ''
      r.on('data', (c) => (body += c))
      r.on('end', () => res({ status: r.statusCode, body }))
    })
    req.on('error', rej)
    req.end()
  })
}

// ---------- browser helpers (as in run.mjs) ----------
const pageErrors = []
function wire(page) {
  page.setDefaultTimeout(30000)
  page.setDefaultNavigationTimeout(90000)
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`))
}
async function waitOnline(page, timeout = 30000) {
  await page.locator('.app-shell[data-conn=online]').waitFor({ timeout })
}
async function signUp(page, base, who, password) {
  await page.goto(`${base}/signup`)
  await page.getByLabel('Name').fill(who.name)
  await page.getByLabel('Email').fill(who.email)
  await page.getByText('Email is available').waitFor()
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.locator('#people-search').waitFor() // confirmation is off: signed in at once
  await waitOnline(page)
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
/** This test's messages as the page shows them, top to bottom. */
const texts = (page) => page.locator('[data-testid=message] .msg-text').allInnerTexts().then((l) => l.filter((t) => /^c\d\d [AB] /.test(t)))

// ---------- main ----------
const stamp = Date.now().toString(36)
const db = `parley_cluster_${stamp}`
const redisPrefix = `${db}:`
const dir = mkdtempSync(join(tmpdir(), 'parley-cluster-'))
chmodSync(dir, 0o755)
const nodes = []
let nginx, browser, dbMade = false
let ok = false
const t0 = Date.now()
try {
  const listen = await freePort()
  const origin = `https://localhost:${listen}`
  // a self-signed certificate for localhost: the README's block is TLS-only, as deployed
  const cert = join(dir, 'tls.crt')
  const key = join(dir, 'tls.key')
  const tls = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' })
  if (tls.status !== 0) throw new Error(`openssl: ${tls.stderr}`)

  const made = spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', db], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`createdb ${db}: ${made.stderr}`)
  dbMade = true
  const common = {
    dir,
    args: [
      `--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/${db}`,
      '--spring.datasource.username=postgres',
      '--spring.datasource.password=',
      '--spring.data.redis.url=redis://127.0.0.1:6379',
      `--parley.redis.key-prefix=${redisPrefix}`,
      '--parley.auth.require-email-confirmation=false',
      `--parley.jwt.secret=${randomBytes(32).toString('hex')}`, // the same on both nodes
      `--parley.public-url=${origin}`,
      `--parley.socket.public-url=${origin}`,
      '--parley.trusted-proxies=127.0.0.1',
      '--spring.mail.host=127.0.0.1',
      `--spring.mail.port=${await freePort()}`, // nothing is mailed with confirmation off
    ],
  }
  nodes.push(await startNode('node1', common), await startNode('node2', common))
  nginx = await startNginx(dir, {
    LISTEN: String(listen),
    SERVER_NAME: 'localhost',
    TLS_CERT: cert,
    TLS_KEY: key,
    NODE1_HTTP: `127.0.0.1:${nodes[0].port}`,
    NODE2_HTTP: `127.0.0.1:${nodes[1].port}`,
    NODE1_SOCKET: `127.0.0.1:${nodes[0].socketPort}`,
    NODE2_SOCKET: `127.0.0.1:${nodes[1].socketPort}`,
  })
  await Promise.all(nodes.map((n) => n.ready))
  log(`both nodes UP after ${((Date.now() - t0) / 1000).toFixed(1)}s; nginx on ${origin}`)
  const ca = readFileSync(cert)
  const health = await viaNginx(`${origin}/actuator/health`, ca)
  assert(health.status === 200, `health through nginx: ${health.status} ${health.body}`)

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const newPage = async () => {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US', viewport: { width: 1280, height: 800 } })
    const page = await ctx.newPage()
    wire(page)
    return page
  }
  const password = 'correct-horse-9'
  const A = { name: `Ada ${stamp.slice(-4)}`, email: `ada.${stamp}@example.test` }
  const B = { name: `Bo ${stamp.slice(-4)}`, email: `bo.${stamp}@example.test` }
  const [pa, pb] = [await newPage(), await newPage()]
  await Promise.all([signUp(pa, origin, A, password), signUp(pb, origin, B, password)])
  await openChat(pa, B.name)
  await send(pa, 'c00 A hello through nginx')
  await pb.locator('[data-testid=dialog]', { hasText: A.name }).waitFor()
  await openChat(pb, A.name)
  const sent = { A: ['c00 A hello through nginx'], B: [] }
  const chat = async (from, n) => {
    const [page, who] = from === 'A' ? [pa, 'A'] : [pb, 'B']
    const text = `c${String(n).padStart(2, '0')} ${who} message ${n}`
    await send(page, text)
    sent[who].push(text)
  }

  // Both sockets go through nginx to one node (ip_hash: same client address). Find it.
  const sockets = () => nodes.map((n) => (n.exited === null ? establishedOn(n.socketPort) : 0))
  const before = await until('both browsers\' websockets on one node', () => {
    const s = sockets()
    return s.some((c) => c >= 2) && s
  })
  const victim = nodes[before[0] >= 2 ? 0 : 1]
  const survivor = nodes.find((n) => n !== victim)
  log(`websockets per node before: ${before.join(', ')}; stopping ${victim.label} with ${KILL_SIGNAL} mid-chat`)

  let n = 1
  for (; n <= 6; n++) {
    await chat(n % 2 ? 'B' : 'A', n)
    await sleep(150)
  }
  const tKill = Date.now()
  const killed = victim.kill(KILL_SIGNAL) // no await: the chat goes on while it dies
  for (; n <= 12; n++) {
    await chat(n % 2 ? 'B' : 'A', n)
    await sleep(150)
  }
  await killed
  await Promise.all([waitOnline(pa, 60000), waitOnline(pb, 60000)])
  const after = await until('both websockets reconnected through nginx to the surviving node', () => {
    const s = sockets()
    return establishedOn(survivor.socketPort) >= 2 && s
  }, 60000)
  log(`both browsers online again ${((Date.now() - tKill) / 1000).toFixed(1)}s after the kill; websockets per node: ${after.join(', ')}`)
  for (; n <= 18; n++) {
    await chat(n % 2 ? 'B' : 'A', n)
    await sleep(150)
  }

  // Verdict: every message on both sides, exactly once; both sides in the same order; each
  // sender's messages in the order sent; none left failed or pending.
  const all = [...sent.A, ...sent.B]
  const lists = {}
  for (const [who, page] of [['A', pa], ['B', pb]]) {
    lists[who] = await until(`${who} shows all ${all.length} messages`, async () => {
      const l = await texts(page)
      return all.every((m) => l.includes(m)) && l
    }, 60000).catch(async (e) => {
      const l = await texts(page)
      throw new Error(`${e.message}; missing at ${who}: ${JSON.stringify(all.filter((m) => !l.includes(m)))}`)
    })
    await until(`${who}: no message failed or pending`, async () => (await page.locator('[data-testid=message][data-state=failed], [data-testid=message][data-state=pending], [data-testid=message][data-state=sending]').count()) === 0, 30000)
  }
  for (const who of ['A', 'B']) {
    const l = lists[who]
    assert(l.length === all.length && new Set(l).size === l.length, `${who}: each message exactly once, got ${JSON.stringify(l)}`)
    for (const s of ['A', 'B']) {
      const own = l.filter((t) => sent[s].includes(t))
      assert(JSON.stringify(own) === JSON.stringify(sent[s]), `${who}: ${s}'s messages in sending order, got ${JSON.stringify(own)}`)
    }
  }
  assert(JSON.stringify(lists.A) === JSON.stringify(lists.B), `both sides in the same order:\n A ${JSON.stringify(lists.A)}\n B ${JSON.stringify(lists.B)}`)
  // still the same after a reload (the server's history agrees with what the sockets delivered)
  await pb.reload()
  await waitOnline(pb)
  await pb.getByTestId('conv-name').filter({ hasText: A.name }).waitFor()
  const reloaded = await until('history after reload', async () => {
    const l = await texts(pb)
    return l.length >= all.length && l
  })
  assert(JSON.stringify(reloaded) === JSON.stringify(lists.B), `history after reload matches: ${JSON.stringify(reloaded)}`)
  assert(pageErrors.length === 0, `uncaught errors in the pages: ${pageErrors.join('; ')}`)
  log(`PASS ${all.length} messages (${sent.A.length} from A, ${sent.B.length} from B), 6 of them sent while ${victim.label} was dying, all shown once in order on both sides; ${((Date.now() - t0) / 1000).toFixed(1)}s in all`)
  ok = true
} catch (e) {
  log(`FAIL ${e.stack || e.message}`)
  if (browser) {
    for (const [i, p] of browser.contexts().flatMap((c) => c.pages()).entries()) await p.screenshot({ path: join(outDir, `fail-${i}.png`) }).catch(() => {})
  }
  for (const f of ['error.log', 'access.log']) if (existsSync(join(dir, f))) console.log(`--- nginx ${f} (tail) ---\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-25).join('\n')}`)
} finally {
  await browser?.close().catch(() => {})
  await nginx?.stop().catch(() => {})
  await Promise.all(nodes.map((n) => n.kill('SIGTERM').catch(() => {})))
  for (const f of ['nginx.conf', 'error.log', 'access.log']) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(outDir, `nginx-${f}`))
  if (dbMade) spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--if-exists', '--force', db], { stdio: 'ignore' })
  // this run's Redis keys only (its own prefix), never anything else
  const keys = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', '--scan', '--pattern', `${redisPrefix}*`], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? []
  for (let i = 0; i < keys.length; i += 500) spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'del', ...keys.slice(i, i + 500)], { stdio: 'ignore' })
  if (!KEEP) rmSync(dir, { recursive: true, force: true })
}
console.log(`cluster e2e: ${ok ? 'PASS' : 'FAIL'}`)
process.exit(ok ? 0 : 1)
