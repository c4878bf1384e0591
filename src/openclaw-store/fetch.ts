import { readWal } from './wal.js';

/** Anything that reads a whole file of the node (a NodeReader does): plain reads, no lock, no write. */
export interface ByteSource {
  readFile(path: string): Promise<Buffer>;
}

export interface StoreBytes {
  db: Buffer;
  wal: Buffer | null;
}

const ATTEMPTS = 3;

function walSalt(wal: Buffer | null): string | null {
  try {
    return wal ? (readWal(wal)?.salt ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * Reads a SQLite DB and its `-wal` file as one consistent pair while a gateway may be writing them: the
 * WAL is read before and after the DB, and the read is repeated when SQLite restarted the log in between
 * (a checkpoint moved pages into the DB file). `withWal`: whether the node listed a `-wal` file.
 */
export async function fetchStoreBytes(src: ByteSource, dbPath: string, withWal: boolean): Promise<StoreBytes> {
  const wal = () => (withWal ? src.readFile(`${dbPath}-wal`).catch(() => null) : Promise.resolve(null));
  let last: StoreBytes | null = null;
  for (let i = 0; i < ATTEMPTS; i++) {
    const before = await wal();
    const db = await src.readFile(dbPath);
    const after = await wal();
    last = { db, wal: after };
    if (walSalt(before) === walSalt(after) && (before?.length ?? 0) <= (after?.length ?? 0)) return last;
  }
  return last!;
}
