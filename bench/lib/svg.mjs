// Tiny dependency-free SVG chart writer (line + grouped bar), log or linear Y.
const PAL = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (Math.abs(v) >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + 'k' : Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2));

function niceTicks(min, max, n = 5) {
  if (max <= min) max = min + 1;
  const step0 = (max - min) / n; const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0);
  const out = []; for (let v = Math.floor(min / step) * step; v < max + step * 0.999; v += step) out.push(+v.toPrecision(10));
  return out;
}
function logTicks(min, max) { const out = []; for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e); return out; }

function frame({ W, H, title, yLabel, xLabel }) {
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
    yLabel ? `<text transform="translate(12,${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>` : '',
    xLabel ? `<text x="${W / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>` : ''];
}
function yAxis(o, { L, T, PW, PH, ymin, ymax, logY }) {
  const ticks = logY ? logTicks(ymin, ymax) : niceTicks(ymin, ymax);
  const lo = logY ? Math.log10(ticks[0]) : ticks[0], hi = logY ? Math.log10(ticks.at(-1)) : ticks.at(-1);
  const y = (v) => T + PH - ((logY ? Math.log10(Math.max(v, ticks[0])) : v) - lo) / (hi - lo || 1) * PH;
  for (const t of ticks) o.push(`<line x1="${L}" x2="${L + PW}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${L - 4}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  return y;
}
function legend(o, names, x, y) { names.forEach((n, i) => o.push(`<rect x="${x}" y="${y + i * 14 - 8}" width="10" height="10" fill="${PAL[i % PAL.length]}"/><text x="${x + 14}" y="${y + i * 14 + 1}">${esc(n)}</text>`)); }

/** series: [{name, points: [[x, y], ...]}] */
export function lineChart({ title, series, xLabel = '', yLabel = '', logY = false, W = 640, H = 300, hlines = [] }) {
  const L = 56, R = 150, T = 28, B = 36, PW = W - L - R, PH = H - T - B;
  const pts = series.flatMap((s) => s.points).filter((p) => p[1] != null && isFinite(p[1]));
  const o = frame({ W, H, title, yLabel, xLabel });
  if (!pts.length) { o.push('<text x="50%" y="50%">no data</text></svg>'); return o.join('\n'); }
  const xs = pts.map((p) => p[0]); const ys = pts.map((p) => p[1]).concat(hlines.map((h) => h.y));
  const xmin = Math.min(...xs), xmax = Math.max(...xs);
  const ymin = logY ? Math.max(Math.min(...ys.filter((v) => v > 0)), 1e-3) : Math.min(0, ...ys), ymax = Math.max(...ys) * 1.05 || 1;
  const y = yAxis(o, { L, T, PW, PH, ymin, ymax, logY });
  const x = (v) => L + ((v - xmin) / (xmax - xmin || 1)) * PW;
  for (const t of niceTicks(xmin, xmax, 6).filter((t) => t >= xmin && t <= xmax)) o.push(`<text x="${x(t)}" y="${T + PH + 14}" text-anchor="middle">${fmt(t)}</text>`);
  o.push(`<rect x="${L}" y="${T}" width="${PW}" height="${PH}" fill="none" stroke="#999"/>`);
  for (const h of hlines) o.push(`<line x1="${L}" x2="${L + PW}" y1="${y(h.y)}" y2="${y(h.y)}" stroke="#444" stroke-dasharray="4 3"/><text x="${L + PW - 2}" y="${y(h.y) - 3}" text-anchor="end" fill="#444">${esc(h.label)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.filter((q) => q[1] != null && isFinite(q[1]));
    if (!p.length) return;
    o.push(`<polyline fill="none" stroke="${PAL[i % PAL.length]}" stroke-width="1.6" points="${p.map((q) => `${x(q[0]).toFixed(1)},${y(q[1]).toFixed(1)}`).join(' ')}"/>`);
    if (p.length < 30) for (const q of p) o.push(`<circle cx="${x(q[0]).toFixed(1)}" cy="${y(q[1]).toFixed(1)}" r="2.5" fill="${PAL[i % PAL.length]}"/>`);
  });
  legend(o, series.map((s) => s.name), L + PW + 10, T + 10);
  o.push('</svg>'); return o.join('\n');
}

/** categories: x labels; series: [{name, values: [..per category]}] */
export function barChart({ title, categories, series, yLabel = '', logY = false, W = 640, H = 300, hlines = [] }) {
  const L = 56, R = 150, T = 28, B = 40, PW = W - L - R, PH = H - T - B;
  const vals = series.flatMap((s) => s.values).filter((v) => v != null && isFinite(v)).concat(hlines.map((h) => h.y));
  const o = frame({ W, H, title, yLabel });
  if (!vals.length) { o.push('<text x="50%" y="50%">no data</text></svg>'); return o.join('\n'); }
  const ymin = logY ? Math.max(Math.min(...vals.filter((v) => v > 0)) / 2, 1e-3) : 0, ymax = Math.max(...vals) * 1.1 || 1;
  const y = yAxis(o, { L, T, PW, PH, ymin, ymax, logY });
  const gw = PW / categories.length, bw = (gw * 0.8) / series.length;
  categories.forEach((c, ci) => {
    o.push(`<text x="${L + gw * ci + gw / 2}" y="${T + PH + 14}" text-anchor="middle">${esc(c)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[ci]; if (v == null || !isFinite(v)) return;
      const x0 = L + gw * ci + gw * 0.1 + bw * si, y0 = y(v), base = T + PH;
      o.push(`<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${Math.max(0, base - y0).toFixed(1)}" fill="${PAL[si % PAL.length]}"><title>${esc(s.name)} ${esc(c)}: ${v}</title></rect>`);
      if (series.length * categories.length <= 24) o.push(`<text x="${(x0 + bw / 2).toFixed(1)}" y="${(y0 - 2).toFixed(1)}" text-anchor="middle" font-size="9">${fmt(v)}</text>`);
    });
  });
  o.push(`<rect x="${L}" y="${T}" width="${PW}" height="${PH}" fill="none" stroke="#999"/>`);
  for (const h of hlines) o.push(`<line x1="${L}" x2="${L + PW}" y1="${y(h.y)}" y2="${y(h.y)}" stroke="#444" stroke-dasharray="4 3"/><text x="${L + PW - 2}" y="${y(h.y) - 3}" text-anchor="end" fill="#444">${esc(h.label)}</text>`);
  legend(o, series.map((s) => s.name), L + PW + 10, T + 10);
  o.push('</svg>'); return o.join('\n');
}
