// Postgres-side view of a run: commit/WAL counters and sampled backend wait events.
import pg from 'pg';

export class PgMonitor {
  constructor(db) { this.db = db; this.client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: db }); }
  async open() { await this.client.connect(); return this; }
  async close() { await this.client.end().catch(() => {}); }
  async snapshot() {
    const d = (await this.client.query('select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, blks_read from pg_stat_database where datname=$1', [this.db])).rows[0];
    let w = {}; try { w = (await this.client.query('select wal_records, wal_bytes, wal_write, wal_sync from pg_stat_wal')).rows[0]; } catch {}
    return { t: performance.now(), ...Object.fromEntries(Object.entries({ ...d, ...w }).map(([k, v]) => [k, Number(v)])) };
  }
  /** Samples wait events of this database's backends every `ms` until stop(). */
  startWaits(ms = 100) {
    this.waits = {}; this.waitSamples = 0; let busy = false;
    this.timer = setInterval(async () => {
      if (busy) return; busy = true;
      try {
        const r = await this.client.query(`select state, coalesce(wait_event_type,'') wt, coalesce(wait_event,'') we from pg_stat_activity where datname=$1 and pid<>pg_backend_pid() and backend_type='client backend'`, [this.db]);
        this.waitSamples++;
        for (const x of r.rows) {
          const k = x.state === 'active' ? (x.wt ? `${x.wt}:${x.we}` : 'CPU (running)') : x.state === 'idle in transaction' ? 'idle in transaction (app)' : 'idle';
          this.waits[k] = (this.waits[k] || 0) + 1;
        }
      } catch {} finally { busy = false; }
    }, ms);
  }
  stopWaits() {
    clearInterval(this.timer);
    const n = this.waitSamples || 1; const out = {};
    for (const [k, v] of Object.entries(this.waits || {}).sort((a, b) => b[1] - a[1])) out[k] = Math.round((v / n) * 100) / 100; // avg backends in that state
    return out;
  }
  static delta(a, b, messages) {
    const secs = (b.t - a.t) / 1000; const d = (k) => (b[k] ?? 0) - (a[k] ?? 0);
    const per = (k) => (messages ? Math.round((d(k) / messages) * 100) / 100 : null);
    return {
      secs: Math.round(secs * 10) / 10, commitsPerSec: Math.round(d('xact_commit') / secs), rollbacks: d('xact_rollback'),
      walSyncsPerSec: Math.round(d('wal_sync') / secs), walWritesPerSec: Math.round(d('wal_write') / secs),
      commitsPerMsg: per('xact_commit'), tupInsertedPerMsg: per('tup_inserted'), tupUpdatedPerMsg: per('tup_updated'), walBytesPerMsg: per('wal_bytes'), walRecordsPerMsg: per('wal_records'),
      msgsPerWalSync: d('wal_sync') ? Math.round((messages / d('wal_sync')) * 10) / 10 : null,
    };
  }
}
