import type { ReactNode } from 'react'

// Turns http(s)://, www. and mailto: runs of a message into links. Builds React elements from
// the plain text (React escapes every text node), so a message can never inject markup.

const CANDIDATE = /\b(?:https?:\/\/|www\.|mailto:)[^\s<>"]+/gi
const TRAILING = /[.,;:!?'"»”’…]+$/

export interface TextPart {
  text: string
  href?: string
}

/** Drops punctuation that ends the sentence rather than the URL; a ")" stays when the URL opened one. */
function trimEnd(raw: string): string {
  let s = raw
  for (;;) {
    const before = s
    s = s.replace(TRAILING, '')
    for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
      while (s.endsWith(close) && s.split(close).length > s.split(open).length) s = s.slice(0, -1)
    }
    if (s === before) return s
  }
}

function hrefOf(text: string): string | undefined {
  const candidate = /^www\./i.test(text) ? `https://${text}` : text
  try {
    const url = new URL(candidate)
    if (url.protocol === 'mailto:') return /^mailto:[^@\s]+@[^@\s]+$/i.test(candidate) ? candidate : undefined
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.')) return url.href
  } catch {
    /* not a URL after all: stays text */
  }
  return undefined
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = []
  let at = 0
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index ?? 0
    const raw = trimEnd(m[0])
    const href = hrefOf(raw)
    if (!href) continue
    if (start > at) parts.push({ text: text.slice(at, start) })
    parts.push({ text: raw, href })
    at = start + raw.length
  }
  if (at < text.length) parts.push({ text: text.slice(at) })
  return parts
}

export function Linkified({ text }: { text: string }): ReactNode {
  const parts = splitLinks(text)
  if (parts.length === 1 && !parts[0].href) return text
  return parts.map((p, i) =>
    p.href ? (
      <a key={i} href={p.href} target="_blank" rel="noopener noreferrer" className="msg-link">
        {p.text.startsWith('mailto:') ? p.text.slice(7) : p.text}
      </a>
    ) : (
      p.text
    ),
  )
}
