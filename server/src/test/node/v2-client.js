// A socket.io-client 2.x driven by JSON lines on stdin; everything it sees goes to stdout as JSON lines.
// Commands: {"cmd":"connect","url":..,"query":{..},"transports":[..]}
//           {"cmd":"emit","event":..,"args":[..],"ack":<id or null>}
//           {"cmd":"close"}
const io = require('socket.io-client');
const readline = require('readline');

let socket = null;
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const EVENTS = ['user:connect_success', 'user:invalid_token', 'user:new_message', 'user:new_dialog',
  'user:all_messages_read', 'user:message_read', 'user:connection_status', 'user:typing',
  'user:message_updated', 'user:message_deleted', 'user:profile_updated'];

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let c;
  try { c = JSON.parse(line); } catch (e) { out({ type: 'error', message: 'bad command' }); return; }
  if (c.cmd === 'connect') {
    socket = io(c.url, { query: c.query || {}, transports: c.transports || ['polling', 'websocket'],
      forceNew: true, reconnection: false, timeout: 5000 });
    socket.on('connect', () => out({ type: 'connect', transport: socket.io.engine.transport.name }));
    socket.on('disconnect', (reason) => out({ type: 'disconnect', reason }));
    socket.on('connect_error', (e) => out({ type: 'connect_error', message: String(e && e.message || e) }));
    socket.io.engine && socket.io.engine.on('upgrade', (t) => out({ type: 'upgrade', transport: t.name }));
    // emitOnUpgrading: emit this event at the worst moment, while polling pauses for the upgrade
    if (c.emitOnUpgrading) socket.io.engine.once('upgrading', () => { out({ type: 'upgrading' }); socket.emit(c.emitOnUpgrading); });
    for (const name of EVENTS) socket.on(name, (payload) => out({ type: 'event', name, payload: payload === undefined ? null : payload }));
  } else if (c.cmd === 'emit') {
    const args = c.args || [];
    if (c.ack != null) socket.emit(c.event, ...args, (reply) => out({ type: 'ack', id: c.ack, payload: reply === undefined ? null : reply }));
    else socket.emit(c.event, ...args);
  } else if (c.cmd === 'close') {
    if (socket) socket.close();
    setTimeout(() => process.exit(0), 50);
  }
});
