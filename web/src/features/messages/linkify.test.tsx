import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { Linkified, splitLinks } from './linkify'

describe('links in messages', () => {
  it('finds https, www and mailto links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.com/a?b=1&c=2, or www.example.org. Mail mailto:bob@example.test!')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1&c=2', href: 'https://example.com/a?b=1&c=2' },
      { text: ', or ' },
      { text: 'www.example.org', href: 'https://www.example.org/' },
      { text: '. Mail ' },
      { text: 'mailto:bob@example.test', href: 'mailto:bob@example.test' },
      { text: '!' },
    ])
  })

  it('keeps balanced parentheses and drops a closing one that is not part of the URL', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Foo_(bar))')[1]).toEqual({ text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' })
    expect(splitLinks('(see https://example.com)')[1].text).toBe('https://example.com')
  })

  it('does not link other schemes or hostless text', () => {
    for (const t of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'http://localhost', 'ftp://x.org', 'mailto:nobody']) {
      expect(splitLinks(t).every((p) => !p.href)).toBe(true)
    }
  })

  it('renders markup in a message as text, links as safe new-tab anchors', () => {
    const { container } = render(<p>{Linkified({ text: '<img src=x onerror=alert(1)> https://example.com/"><script>x</script>' })}</p>)
    expect(container.querySelector('img, script')).toBeNull()
    const a = container.querySelectorAll('a')
    expect(a).toHaveLength(1)
    expect(a[0].getAttribute('href')).toBe('https://example.com/')
    expect(a[0].getAttribute('rel')).toBe('noopener noreferrer')
    expect(a[0].getAttribute('target')).toBe('_blank')
    expect(container.textContent).toContain('<img src=x onerror=alert(1)>')
  })
})
