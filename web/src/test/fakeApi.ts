import { vi } from 'vitest'

// A scripted stand-in for the server behind `fetch`, for component tests: each route answers
// with the contract's envelope, and every request is recorded (method, path, parsed body).

export interface Call {
  method: string
  path: string
  body: unknown
}

type Handler = (call: Call) => unknown | Promise<unknown>

export function fakeApi() {
  const calls: Call[] = []
  const routes: Array<[string, RegExp, Handler]> = []
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://parley.test')
    const call: Call = { method: init?.method ?? 'GET', path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined }
    calls.push(call)
    const route = routes.find(([m, re]) => m === call.method && re.test(call.path))
    if (!route) return new Response(JSON.stringify({ statusCode: 404, message: 'Not Found' }), { status: 404 })
    const data = await route[2](call) // a handler may throw (a network failure) or never resolve
    return new Response(JSON.stringify({ statusCode: 200, message: 'OK', data }), { status: 200, headers: { 'content-type': 'application/json' } })
  }
  vi.stubGlobal('fetch', vi.fn(impl))
  return {
    calls,
    on(method: string, path: RegExp, handler: Handler) {
      routes.unshift([method, path, handler])
    },
  }
}

/** A promise with its resolve/reject outside, to hold a request in flight. */
export function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
