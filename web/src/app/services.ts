import { createBus } from '../api/bus'
import { detectDevice } from '../api/device'
import { HttpClient, type LockLike } from '../api/http'

// Process-wide singletons of the network layer. Feature services use these;
// components never call them directly for state — they read the store.

export const device = detectDevice()
export const bus = createBus('parley')

const locks: LockLike | undefined =
  typeof navigator !== 'undefined' && navigator.locks
    ? { request: <T,>(name: string, cb: () => Promise<T>) => navigator.locks.request(name, cb) as Promise<T> }
    : undefined

export const http = new HttpClient({
  fetch: (...a) => fetch(...a),
  storage: localStorage,
  device,
  bus,
  locks,
})

import type { SocketService } from '../api/socket'
/** The live socket (created after sign-in, once the socket URL is known). */
export const realtime: { socket: SocketService | null } = { socket: null }
