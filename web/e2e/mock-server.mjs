// In-memory stand-in for the Parley server, speaking the contract closely enough to
// develop and smoke-test the SPA before the real server is available.
// Used only by `node e2e/run.mjs --mock`; the real suite runs against the jar.
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import { Server as IoServer } from 'socket.io'

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' }

export async function startMockServer({ port, socketPort, distDir, publicUrl, accessTtlMs = 15 * 60_000, onEmail }) {
  const users = [] // {id,name,email,password,bio,confirmed}
  const messages = [] // contract message objects
  const sessions = new Map() // sid -> {sid,userID,refresh,os,browser,ip,createdAt,lastUsedAt,revoked}
  const tokens = new Map() // access -> {sid,userID,exp}
  const emailTokens = new Map() // token -> {kind,userID,newEmail}
  const reads = new Map() // `${reader}:${peer}` -> last read id
  let msgSeq = 0
  let userSeq = 0

  const ok = (res, data) => send(res, 200, { statusCode: 200, message: 'OK', ...(data === undefined ? {} : { data }) })
  const fail = (res, code, message) => send(res, code, { statusCode: code, message, error: String(code) })
  function send(res, code, body) {
    res.writeHead(code, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
    res.end(JSON.stringify(body))
  }
  const now = () => new Date().toISOString()
  const isRead = (m) => m.senderID === m.receiverID || (reads.get(`${m.receiverID}:${m.senderID}`) ?? 0) >= m.messageID
  const view = (m) => ({ ...m, isReaded: isRead(m) })
  const between = (a, b) => messages.filter((m) => (m.senderID === a && m.receiverID === b) || (m.senderID === b && m.receiverID === a))
  const online = new Map() // userID -> count

  function issue(userID, sid) {
    const accessToken = randomBytes(16).toString('hex')
    const refreshToken = randomBytes(32).toString('hex')
    tokens.set(accessToken, { sid, userID, exp: Date.now() + accessTtlMs })
    const s = sessions.get(sid)
    s.refresh = refreshToken
    s.lastUsedAt = now()
    return { userID, accessToken, refreshToken }
  }
  function authOf(req) {
    const h = req.headers.authorization ?? ''
    return check(h.replace(/^Bearer /, ''))
  }
  function check(token) {
    const t = tokens.get(token)
    if (!t || t.exp < Date.now()) return null
    const s = sessions.get(t.sid)
    if (!s || s.revoked) return null
    s.lastUsedAt = now()
    return t
  }
  function dialogsOf(uid) {
    const peers = new Map()
    for (const m of messages) {
      const peer = m.senderID === uid ? m.receiverID : m.receiverID === uid ? m.senderID : null
      if (peer === null) continue
      peers.set(peer, m)
    }
    return [...peers.entries()]
      .map(([peer, last]) => ({
        receiverID: peer,
        receiverName: users.find((u) => u.id === peer)?.name ?? '?',
        lastMessage: last.message,
        createdAt: last.createdAt,
        newMessagesCount: between(uid, peer).filter((m) => m.senderID === peer && !isRead(m)).length,
        connectionStatus: online.get(peer) ? 'online' : 'offline',
      }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }
  function emitTo(uid, ev, payload) {
    io.to(`user:${uid}`).emit(ev, payload)
  }
  function sendMessage(uid, rid, text, cmid) {
    if (cmid) {
      const dup = messages.find((m) => m.senderID === uid && m.clientMessageID === cmid)
      if (dup) return { code: 200, data: view(dup) }
    }
    if (!users.find((u) => u.id === rid)) return { code: 400, message: 'Receiver user not found' }
    const first = between(uid, rid).length === 0
    const m = { messageID: ++msgSeq, senderID: uid, receiverID: rid, message: text.trim(), createdAt: now(), updatedAt: now(), isUpdated: false, isReaded: false, clientMessageID: cmid }
    messages.push(m)
    reads.set(`${uid}:${rid}`, m.messageID)
    if (first) {
      emitTo(uid, 'user:new_dialog', dialogsOf(uid).find((d) => d.receiverID === rid))
      if (rid !== uid) emitTo(rid, 'user:new_dialog', dialogsOf(rid).find((d) => d.receiverID === uid))
    }
    emitTo(uid, 'user:new_message', view(m))
    if (rid !== uid) emitTo(rid, 'user:new_message', view(m))
    return { code: 200, data: view(m) }
  }
  function markRead(reader, peer, upTo) {
    const prev = reads.get(`${reader}:${peer}`) ?? 0
    if (upTo > prev) reads.set(`${reader}:${peer}`, upTo)
  }
  function revoke(sid) {
    const s = sessions.get(sid)
    if (!s) return
    s.revoked = true
    for (const sock of io.sockets.sockets.values()) {
      if (sock.data.sid === sid) {
        sock.emit('user:invalid_token')
        sock.disconnect(true)
      }
    }
  }

  async function body(req) {
    const chunks = []
    for await (const c of req) chunks.push(c)
    try {
      return JSON.parse(Buffer.concat(chunks).toString() || '{}')
    } catch {
      return {}
    }
  }

  const http = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    const p = url.pathname
    const q = url.searchParams
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization,content-type', 'access-control-allow-methods': '*' })
      return res.end()
    }
    if (p === '/actuator/health') return send(res, 200, { status: 'UP' })
    if (!p.startsWith('/api/')) {
      const file = join(distDir, p === '/' ? 'index.html' : p)
      try {
        const data = await readFile(file)
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        return res.end(data)
      } catch {
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end(await readFile(join(distDir, 'index.html')))
      }
    }
    const b = req.method === 'GET' ? {} : await body(req)
    const key = `${req.method} ${p}`
    // public
    if (key === 'GET /api/config') return ok(res, { socketUrl: `http://localhost:${socketPort}` })
    if (key === 'POST /api/user/check-email') return users.some((u) => u.email === b.email?.toLowerCase()) ? fail(res, 400, 'Email already in use') : ok(res)
    if (key === 'POST /api/user') {
      if (users.some((u) => u.email === b.email?.toLowerCase())) return fail(res, 400, `Email ${b.email} already in use`)
      const u = { id: ++userSeq, name: b.name, email: b.email.toLowerCase(), password: b.password, bio: '', confirmed: false }
      users.push(u)
      const token = randomBytes(16).toString('hex')
      emailTokens.set(token, { kind: 'confirm', userID: u.id })
      onEmail({ to: u.email, subject: 'Confirm', text: `${publicUrl}/email/confirm-email?id=${u.id}&token=${token}` })
      return ok(res)
    }
    if (key === 'GET /api/email/confirm-email') {
      const t = emailTokens.get(q.get('token'))
      if (!t || t.kind !== 'confirm' || String(t.userID) !== q.get('id')) return fail(res, 400, 'Invalid confirm email link')
      emailTokens.delete(q.get('token'))
      users.find((u) => u.id === t.userID).confirmed = true
      return ok(res)
    }
    if (key === 'POST /api/auth/login') {
      const u = users.find((x) => x.email === b.email?.toLowerCase() && x.password === b.password)
      if (!u) return fail(res, 401, 'Invalid password or email')
      if (!u.confirmed) return fail(res, 401, 'You need to confirm your email')
      const sid = randomUUID()
      sessions.set(sid, { sid, userID: u.id, os: b.os, browser: b.browser, ip: '127.0.0.1', createdAt: now(), lastUsedAt: now() })
      return ok(res, issue(u.id, sid))
    }
    if (key === 'POST /api/auth/refresh-token') {
      const s = [...sessions.values()].find((x) => x.refresh === b.refreshToken && !x.revoked && x.userID === b.userID)
      if (!s) return fail(res, 401, 'Refresh token verify failed')
      return ok(res, issue(s.userID, s.sid))
    }
    if (key === 'POST /api/user/reset-password') {
      const u = users.find((x) => x.email === String(b.email ?? '').toLowerCase())
      if (u) {
        const token = randomBytes(16).toString('hex')
        emailTokens.set(token, { kind: 'reset', userID: u.id })
        onEmail({ to: u.email, subject: 'Reset', text: `${publicUrl}/email/reset-password?id=${u.id}&token=${token}` })
      }
      return ok(res)
    }
    if (key === 'POST /api/email/reset-password') {
      const t = emailTokens.get(q.get('token'))
      if (!t || t.kind !== 'reset') return fail(res, 401, 'Invalid reset password link')
      emailTokens.delete(q.get('token'))
      users.find((u) => u.id === t.userID).password = b.newPassword
      for (const x of sessions.values()) if (x.userID === t.userID) revoke(x.sid)
      return ok(res)
    }
    if (key === 'GET /api/email/change-email') {
      const t = emailTokens.get(q.get('token'))
      if (!t || t.kind !== 'change') return fail(res, 401, 'Invalid change email link')
      emailTokens.delete(q.get('token'))
      users.find((u) => u.id === t.userID).email = t.newEmail
      return ok(res)
    }
    // authenticated
    const a = authOf(req)
    if (!a) return fail(res, 401, 'Unauthorized')
    const me = a.userID
    if (key === 'GET /api/user/me') {
      const u = users.find((x) => x.id === me)
      return ok(res, { id: u.id, name: u.name, email: u.email, bio: u.bio })
    }
    if (key === 'POST /api/user/search') {
      const n = String(b.name ?? '').toLowerCase()
      return ok(res, n ? users.filter((u) => u.id !== me && u.name.toLowerCase().includes(n)).map((u) => ({ id: u.id, name: u.name })) : [])
    }
    if (key === 'POST /api/user/change/name') {
      users.find((x) => x.id === me).name = b.newName
      return ok(res)
    }
    if (key === 'POST /api/user/change/bio') {
      users.find((x) => x.id === me).bio = b.newBio
      return ok(res)
    }
    if (key === 'POST /api/user/change/password') {
      const u = users.find((x) => x.id === me)
      if (u.password !== b.oldPassword) return fail(res, 401, 'Invalid password')
      u.password = b.newPassword
      for (const x of sessions.values()) if (x.userID === me) revoke(x.sid)
      return ok(res)
    }
    if (key === 'DELETE /api/user') {
      const u = users.find((x) => x.id === me)
      if (u.password !== b.password) return fail(res, 401, 'Invalid password')
      u.email = `deleted-${u.id}`
      u.name = 'Deleted account'
      for (const x of sessions.values()) if (x.userID === me) revoke(x.sid)
      return ok(res)
    }
    if (key === 'POST /api/user/change/email') {
      const u = users.find((x) => x.id === me)
      if (u.password !== b.password) return fail(res, 401, 'Invalid password')
      const token = randomBytes(16).toString('hex')
      emailTokens.set(token, { kind: 'change', userID: me, newEmail: String(b.newEmail).toLowerCase() })
      onEmail({ to: String(b.newEmail).toLowerCase(), subject: 'Change', text: `${publicUrl}/email/change-email?id=${me}&token=${token}` })
      return ok(res)
    }
    if (key === 'POST /api/auth/logout') {
      revoke(a.sid)
      return ok(res)
    }
    if (key === 'GET /api/session') {
      return ok(
        res,
        [...sessions.values()]
          .filter((s) => s.userID === me && !s.revoked)
          .map((s) => ({ sessionID: s.sid, os: s.os, browser: s.browser, ip: s.ip, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, current: s.sid === a.sid, online: false })),
      )
    }
    if (req.method === 'DELETE' && p === '/api/session') {
      for (const s of sessions.values()) if (s.userID === me && s.sid !== a.sid) revoke(s.sid)
      return ok(res)
    }
    if (req.method === 'DELETE' && p.startsWith('/api/session/')) {
      const s = sessions.get(decodeURIComponent(p.slice('/api/session/'.length)))
      if (!s || s.userID !== me) return fail(res, 404, 'Session not found')
      revoke(s.sid)
      return ok(res)
    }
    if (key === 'GET /api/dialog') return ok(res, dialogsOf(me))
    if (key === 'GET /api/sync') {
      const after = Number(q.get('after'))
      const limit = Number(q.get('limit') ?? 100)
      return ok(res, messages.filter((m) => m.messageID > after && (m.senderID === me || m.receiverID === me)).slice(0, limit).map(view))
    }
    if (key === 'GET /api/message/read') {
      const m = messages.find((x) => x.messageID === Number(q.get('message-id')))
      if (!m || m.receiverID !== me) return fail(res, 401, 'Unauthorized')
      markRead(me, m.senderID, m.messageID)
      emitTo(m.senderID, 'user:message_read', { receiverID: me, messageID: m.messageID })
      return ok(res)
    }
    const mm = /^\/api\/message\/(\d+)$/.exec(p)
    if (mm && req.method === 'POST') {
      const r = sendMessage(me, Number(mm[1]), b.message, b.clientMessageID)
      return r.code === 200 ? ok(res, r.data) : fail(res, r.code, r.message)
    }
    if (mm && req.method === 'GET') {
      const peer = Number(mm[1])
      const take = Number(q.get('take') ?? 20)
      let list = between(me, peer).slice().reverse()
      if (q.get('before')) list = list.filter((m) => m.messageID < Number(q.get('before')))
      else {
        const skip = Number(q.get('skip') ?? 0)
        list = list.slice(skip)
        if (skip === 0) {
          const last = between(me, peer).filter((m) => m.senderID === peer).at(-1)
          if (last) {
            markRead(me, peer, last.messageID)
            emitTo(peer, 'user:all_messages_read', me)
          }
        }
      }
      return ok(res, list.slice(0, take).map(view))
    }
    if (p === '/api/message' && (req.method === 'PUT' || req.method === 'DELETE')) {
      const m = messages.find((x) => x.messageID === Number(q.get('message-id')))
      if (!m || m.senderID !== me) return fail(res, 401, 'Unauthorized')
      if (req.method === 'PUT') {
        m.message = b.message
        m.isUpdated = true
        m.updatedAt = now()
        emitTo(m.senderID, 'user:message_updated', view(m))
        emitTo(m.receiverID, 'user:message_updated', view(m))
      } else {
        messages.splice(messages.indexOf(m), 1)
        const d = { messageID: m.messageID, senderID: m.senderID, receiverID: m.receiverID }
        emitTo(m.senderID, 'user:message_deleted', d)
        emitTo(m.receiverID, 'user:message_deleted', d)
      }
      return ok(res)
    }
    return fail(res, 404, `No route ${key}`)
  })

  const io = new IoServer(socketPort, { cors: { origin: true } })
  io.on('connection', (sock) => {
    sock.on('user:connect', () => {
      const t = check(String(sock.handshake.auth?.token ?? '').replace(/^Bearer /, ''))
      if (!t) {
        sock.emit('user:invalid_token')
        return sock.disconnect(true)
      }
      sock.data.sid = t.sid
      sock.data.uid = t.userID
      sock.join(`user:${t.userID}`)
      const n = (online.get(t.userID) ?? 0) + 1
      online.set(t.userID, n)
      if (n === 1) for (const d of dialogsOf(t.userID)) emitTo(d.receiverID, 'user:connection_status', { receiverID: t.userID, connectionStatus: 'online' })
      sock.emit('user:connect_success')
    })
    sock.on('message:send', (p, ack) => {
      if (!sock.data.uid) return ack?.({ statusCode: 401, message: 'Unauthorized' })
      const r = sendMessage(sock.data.uid, p.receiverID, p.message, p.clientMessageID)
      ack?.({ statusCode: r.code, message: r.message ?? 'OK', data: r.data })
    })
    sock.on('user:typing', (p) => {
      if (sock.data.uid) emitTo(p.receiverID, 'user:typing', { userID: sock.data.uid })
    })
    sock.on('disconnect', () => {
      const uid = sock.data.uid
      if (!uid) return
      const n = (online.get(uid) ?? 1) - 1
      online.set(uid, n)
      if (n === 0) for (const d of dialogsOf(uid)) emitTo(d.receiverID, 'user:connection_status', { receiverID: uid, connectionStatus: 'offline' })
    })
  })

  await new Promise((r) => http.listen(port, '127.0.0.1', r))
  return {
    stop: async () => {
      io.close()
      http.closeAllConnections?.()
      await new Promise((r) => http.close(r))
    },
  }
}
