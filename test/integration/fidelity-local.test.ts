// Fidelity of a move on the local transport (issue 12 items 5-6: names are bytes; hard links, sparse files,
// FIFOs; a failed copy leaves no copy behind; links hold the node's own target text, restored byte for byte). Each case applies the reference scenario's node02 with something
// planted in a dir that becomes a link, checks the moved copy, rolls back and checks the original.
import { execFileSync } from 'node:child_process';
import { appendFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { nodeHasErrors } from '../../src/domain/plan.js';
import type { NodeWriter } from '../../src/transport/types.js';
import type { ProbeRequest } from '../../src/domain/facts.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { planNode } from '../../src/planner/plan-node.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { snapshotTree } from '../helpers/snapshot.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
let root: string;
beforeEach(async () => {
  f = await tempDemoFleet();
  root = f.node('node02').root!;
});
afterEach(() => f.cleanup());

const opts = () => ({ runId: newRunId(), by: 'test@vitest', baseline: 'openclaw-classic' });

/** The writer itself, with every probe request it is asked recorded in `asked`. */
function counting(w: NodeWriter, asked: ProbeRequest[]): NodeWriter {
  return new Proxy(w, {
    get(t, k) {
      if (k === 'probe') return (req: ProbeRequest) => (asked.push(req), t.probe(req));
      const v = Reflect.get(t, k, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

async function applyThenRollback(check: { applied: () => void; restored: () => void }): Promise<void> {
  const plan = await f.plan('node02');
  expect(nodeHasErrors(plan), JSON.stringify(plan.diagnostics)).toBe(false);
  const o = opts();
  const r = await applyNode(f.writer('node02'), plan, o);
  expect(r.status, `${r.error ?? ''} ${r.rollbackError ?? ''}`).toBe('changed');
  check.applied();
  const rb = await rollbackRun(f.writer('node02'), plan.paths, o.runId, 't');
  expect(rb.status).toBe('rolled-back');
  check.restored();
}

/** Names of a dir as bytes (hex), sorted. */
const rawNames = (dir: string): string[] => readdirSync(Buffer.from(dir), { encoding: 'buffer' }).map((b) => b.toString('hex')).sort();

/** Every path under `dir` whose name holds `part` (bytes-safe walk). */
function findNames(dir: string, part: string): string[] {
  const out: string[] = [];
  const walk = (d: Buffer): void => {
    for (const n of readdirSync(d, { encoding: 'buffer' })) {
      const p = Buffer.concat([d, Buffer.from('/'), n]);
      if (n.toString('latin1').includes(part)) out.push(p.toString('latin1'));
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(Buffer.from(dir));
  return out;
}

describe('fidelity of the move into the data root (local transport)', () => {
  it('names that are not UTF-8 are planned, moved, verified and rolled back exactly', async () => {
    const dir = `${root}/root/.openclaw/memory`;
    const odd = Buffer.concat([Buffer.from(dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.md')]);
    writeFileSync(odd, 'latin-1 name\n');
    mkdirSync(Buffer.concat([Buffer.from(dir + '/d'), Buffer.from([0xff, 0xfe])]));
    writeFileSync(Buffer.concat([Buffer.from(dir + '/d'), Buffer.from([0xff, 0xfe, 0x2f, 0x80])]), 'inner\n');
    const before = rawNames(dir);
    await applyThenRollback({
      applied: () => {
        expect(rawNames(`${root}/openclaw-data/memory`)).toEqual(expect.arrayContaining(before));
        expect(readFileSync(Buffer.concat([Buffer.from(`${root}/openclaw-data/memory/caf`), Buffer.from([0xe9]), Buffer.from('.md')]), 'utf8')).toBe('latin-1 name\n');
      },
      restored: () => {
        expect(lstatSync(dir).isDirectory()).toBe(true);
        expect(rawNames(dir)).toEqual(before);
        expect(readFileSync(odd, 'utf8')).toBe('latin-1 name\n');
        expect(readdirSync(Buffer.concat([Buffer.from(dir + '/d'), Buffer.from([0xff, 0xfe])]), { encoding: 'buffer' }).map((b) => b.toString('hex'))).toEqual(['80']);
      },
    });
  });

  it('hard links inside a moved dir stay hard links', async () => {
    const dir = `${root}/root/.openclaw/agents/assistant/sessions`;
    writeFileSync(`${dir}/a.jsonl`, 'shared\n');
    linkSync(`${dir}/a.jsonl`, `${dir}/b.jsonl`);
    mkdirSync(`${dir}/sub`);
    linkSync(`${dir}/a.jsonl`, `${dir}/sub/c.jsonl`);
    await applyThenRollback({
      applied: () => {
        const t = `${root}/openclaw-data/agents/assistant/sessions`;
        const ino = statSync(`${t}/a.jsonl`).ino;
        expect(statSync(`${t}/b.jsonl`).ino).toBe(ino);
        expect(statSync(`${t}/sub/c.jsonl`).ino).toBe(ino);
      },
      restored: () => expect(statSync(`${dir}/b.jsonl`).ino).toBe(statSync(`${dir}/a.jsonl`).ino),
    });
  });

  it('a sparse file stays sparse', async () => {
    const file = `${root}/root/.openclaw/media/disk.img`;
    execFileSync('truncate', ['-s', '64M', file]);
    writeFileSync(file, 'head', { flag: 'r+' });
    await applyThenRollback({
      applied: () => {
        const st = statSync(`${root}/openclaw-data/media/disk.img`);
        expect(st.size).toBe(64 << 20);
        expect(st.blocks * 512).toBeLessThan(1 << 20);
      },
      restored: () => expect(statSync(file).blocks * 512).toBeLessThan(1 << 20),
    });
  });

  it('a big sparse file is read in full once (when planned): the dir is re-checked by stamps before the copy and after the move; only the copy is hashed again', async () => {
    const file = `${root}/root/.openclaw/media/disk.img`;
    execFileSync('truncate', ['-s', '256M', file]);
    writeFileSync(file, 'head', { flag: 'r+' });
    // Stamps younger than two seconds never stand for content (shared/manifest.ts sameByStamps): let them age.
    await new Promise((r) => setTimeout(r, 2100));
    const asked: ProbeRequest[] = [];
    const w = counting(f.writer('node02'), asked);
    const spec = f.node('node02');
    const { facts, layout } = await gatherFacts(w, spec, f.baseline);
    const plan = planNode({ baseline: f.baseline, node: spec, facts, layout });
    const r = await applyNode(w, plan, { ...opts(), known: facts.manifests });
    expect(r.status, r.error).toBe('changed');
    const media = '/root/.openclaw/media';
    const hashed = asked.flatMap((q) => q.manifest ?? []).filter((p) => p === media || /media$|\/openclaw-data\/media\/\.clawfleet-.*-copy$/.test(p));
    expect(hashed).toEqual([media, expect.stringMatching(/^\/openclaw-data\/media\/\.clawfleet-.*-copy$/)]);
    const quick = asked.flatMap((q) => q.quick ?? []);
    expect(quick).toEqual([media, expect.stringMatching(/\/moved\/\d+-media$/)]);
    const st = statSync(`${root}/openclaw-data/media/disk.img`);
    expect([st.size, st.blocks * 512 < 1 << 20]).toEqual([256 << 20, true]);
  });

  it('a dir written between plan and apply is hashed again (its stamps changed), and the apply refuses it as changed', async () => {
    const file = `${root}/root/.openclaw/media/disk.img`;
    execFileSync('truncate', ['-s', '8M', file]);
    await new Promise((r) => setTimeout(r, 2100));
    const spec = f.node('node02');
    const asked: ProbeRequest[] = [];
    const w = counting(f.writer('node02'), asked);
    const { facts, layout } = await gatherFacts(w, spec, f.baseline);
    const plan = planNode({ baseline: f.baseline, node: spec, facts, layout });
    writeFileSync(file, 'new head', { flag: 'r+' }); // same size, same mtime second possible: ctime moves
    const r = await applyNode(w, plan, { ...opts(), known: facts.manifests });
    const media = r.actions.find((a) => a.id.includes('/root/.openclaw/media'));
    expect(media?.status).toBe('refused');
    expect(asked.flatMap((q) => q.manifest ?? []).filter((p) => p === '/root/.openclaw/media')).toHaveLength(2);
  });

  it('a FIFO in a dir to be linked is moved (and moved back)', async () => {
    execFileSync('mkfifo', [`${root}/root/.openclaw/logs/events.pipe`]);
    await applyThenRollback({
      applied: () => expect(lstatSync(`${root}/openclaw-data/logs/events.pipe`).isFIFO()).toBe(true),
      restored: () => expect(lstatSync(`${root}/root/.openclaw/logs/events.pipe`).isFIFO()).toBe(true),
    });
  });

  it('links are written as the node holds them, and rollback restores a pre-existing target byte for byte', async () => {
    const media = `${root}/root/.openclaw/media`;
    rmSync(media, { recursive: true });
    symlinkSync('/openclaw-data/old-media', media);
    await applyThenRollback({
      applied: () => {
        expect(readlinkSync(media)).toBe('/openclaw-data/media');
        expect(readlinkSync(`${root}/root/.openclaw/memory`)).toBe('/openclaw-data/memory');
      },
      restored: () => expect(readlinkSync(media)).toBe('/openclaw-data/old-media'),
    });
  });

  it('a copy that fails its verification leaves no copy behind, and the dir is untouched', async () => {
    const dir = `${root}/root/.openclaw/memory`;
    writeFileSync(`${dir}/notes.md`, 'original\n');
    const before = await snapshotTree(dir);
    const plan = await f.plan('node02');
    const real = f.writer('node02');
    // The node's cp "succeeds" but the copy differs from the dir (a bad disk, a racing writer on the target).
    const w = new Proxy(real, {
      get(t, k, r) {
        if (k === 'copyEntries') {
          return async (c: Parameters<NodeWriter['copyEntries']>[0]) => {
            await t.copyEntries(c);
            if (c.src.endsWith('/memory')) appendFileSync(`${root}${c.dest}/${c.tmp}/notes.md`, 'x');
          };
        }
        const v = Reflect.get(t, k, r) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    }) as NodeWriter;
    const r = await applyNode(w, plan, opts());
    expect(r.status).toBe('rolled-back');
    expect(r.error).toMatch(/copy of "notes\.md" differs from its source/);
    expect(r.rollbackError).toBeUndefined();
    expect(await snapshotTree(dir)).toEqual(before);
    expect(findNames(`${root}/openclaw-data`, '-copy')).toEqual([]);
    expect(findNames(`${root}/openclaw-data`, 'notes.md')).toEqual([]);
  });
});
