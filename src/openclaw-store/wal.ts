/**
 * SQLite's write-ahead log, applied in memory: a DB file copied while OpenClaw's gateway runs is only
 * complete together with its `-wal` file (committed transactions live there until a checkpoint). This
 * reads the WAL format (sqlite.org/fileformat2.html#walformat) and overlays the pages of every committed
 * transaction on the DB bytes, exactly as a reader would see them; the node's files are never opened by
 * SQLite, so no lock is taken and the `-shm` index is not needed.
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

export class WalError extends Error {}

function pageSizeOfDb(db: Uint8Array): number | null {
  if (db.length < 100) return null;
  const v = (db[16]! << 8) | db[17]!;
  return v === 1 ? 65536 : v;
}

/** SQLite's WAL checksum: pairs of 32-bit words, big- or little-endian as the WAL magic says. */
function checksum(view: DataView, start: number, len: number, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s0, s1] = s;
  for (let i = start; i < start + len; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/** What the WAL holds: the committed pages (last version of each) and the DB size after the last commit. */
export interface WalCommitted {
  pageSize: number;
  pages: Map<number, Uint8Array>;
  /** Pages in the DB after the last valid commit; null when the WAL holds no commit. */
  dbPages: number | null;
  /** Salt of the WAL header: it changes when SQLite restarts the log (a reader compares it before/after). */
  salt: string;
}

/** Parses a WAL; frames after the last valid commit (an open transaction, a torn write) are ignored. */
export function readWal(wal: Uint8Array): WalCommitted | null {
  if (wal.length < WAL_HEADER) return null; // empty or just created: nothing committed
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) throw new WalError('not a SQLite WAL file (bad magic)');
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new WalError(`WAL page size ${pageSize} is invalid`);
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let sum = checksum(view, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== view.getUint32(24) || sum[1] !== view.getUint32(28)) return { pageSize, pages: new Map(), dbPages: null, salt: `${salt1}:${salt2}` };
  const committed = new Map<number, Uint8Array>();
  let pending = new Map<number, Uint8Array>();
  let dbPages: number | null = null;
  for (let off = WAL_HEADER; off + FRAME_HEADER + pageSize <= wal.length; off += FRAME_HEADER + pageSize) {
    const pgno = view.getUint32(off);
    const commitSize = view.getUint32(off + 4);
    if (pgno === 0 || view.getUint32(off + 8) !== salt1 || view.getUint32(off + 12) !== salt2) break;
    sum = checksum(view, off, 8, bigEndian, sum);
    sum = checksum(view, off + FRAME_HEADER, pageSize, bigEndian, sum);
    if (sum[0] !== view.getUint32(off + 16) || sum[1] !== view.getUint32(off + 20)) break;
    pending.set(pgno, wal.subarray(off + FRAME_HEADER, off + FRAME_HEADER + pageSize));
    if (commitSize !== 0) {
      for (const [p, data] of pending) committed.set(p, data);
      pending = new Map();
      dbPages = commitSize;
    }
  }
  return { pageSize, pages: committed, dbPages, salt: `${salt1}:${salt2}` };
}

/**
 * The DB as a reader sees it: `db` with the WAL's committed pages laid over it, truncated/extended to the
 * committed size, and marked as a rollback-journal DB (header bytes 18–19) so an in-memory SQLite opens it
 * without looking for a WAL of its own. Returns a new buffer; the inputs are not changed.
 */
export function applyWal(db: Uint8Array, wal: Uint8Array | null | undefined): Uint8Array {
  const w = wal ? readWal(wal) : null;
  let out: Uint8Array;
  if (!w || w.dbPages === null) {
    out = Uint8Array.from(db);
  } else {
    const dbPageSize = pageSizeOfDb(db);
    if (dbPageSize !== null && db.length > 0 && dbPageSize !== w.pageSize) throw new WalError(`WAL page size ${w.pageSize} differs from the DB's ${dbPageSize}`);
    // the committed size comes from the node: no larger than both files could hold (a forged one would
    // make us allocate gigabytes)
    if (w.dbPages * w.pageSize > db.length + (wal?.length ?? 0)) throw new WalError(`WAL commit size of ${w.dbPages} pages exceeds what the DB and its WAL hold`);
    out = new Uint8Array(w.dbPages * w.pageSize);
    out.set(db.subarray(0, Math.min(db.length, out.length)));
    for (const [pgno, data] of w.pages) if (pgno <= w.dbPages) out.set(data, (pgno - 1) * w.pageSize);
  }
  if (out.length >= 100 && out[18] === 2 && out[19] === 2) {
    out[18] = 1;
    out[19] = 1;
  }
  return out;
}
