// Applies the saved theme before first paint (no flash). Kept external for strict CSPs.
try {
  var t = localStorage.getItem('parley.theme')
  if (t === 'dark' || t === 'light') document.documentElement.dataset.theme = t
} catch (e) { /* ignore */ }
