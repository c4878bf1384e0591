// Issue 15: progress that fits the terminal (finished nodes collapse into one summary line), redrawn at a
// bounded rate whatever the number of updates, and plain lines without a terminal.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { newProgressState, progressLines } from '../../src/render/progress-view.js';
import { eachLimit, runWithProgress, type ProgressTask } from '../../src/terminal/progress.js';

class Term extends Writable {
  text = '';
  writes = 0;
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    this.writes++;
    cb();
  }
}

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

function state(running: number, done: number) {
  const st = newProgressState('apply', 80, 0);
  for (let i = 0; i < running; i++) st.running.set(i, { title: `node${String(i).padStart(2, '0')}`, line: `3/25 link:/root/.openclaw/agents/agent-with-a-long-name-${i}/sessions` });
  st.ended.set('changed', done);
  return st;
}

describe('progress view', () => {
  it('never has more lines than the terminal has rows, nor wider lines than it', () => {
    for (const [cols, rows] of [[80, 30], [40, 10], [120, 5], [20, 3]] as const) {
      const lines = progressLines(state(64, 10), { columns: cols, rows }, 1500);
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect([...l].length).toBeLessThan(Math.max(cols, 21));
      expect(lines.at(-1)).toMatch(/… and \d+ more/);
    }
  });

  it('finished nodes are only counted in the summary line', () => {
    const lines = progressLines(state(2, 70), { columns: 200, rows: 30 }, 2500);
    expect(lines[0]).toBe('apply: 70/80 nodes done (70 changed) · 2 running · 2.5s');
    expect(lines).toHaveLength(3);
  });
});

function tasks(n: number, updates: number): ProgressTask<number>[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `node${i}`,
    run: async (update) => {
      for (let k = 0; k < updates; k++) {
        update(`${k}/${updates}`);
        if (k % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      return i;
    },
    done: (r) => ({ line: r === 3 ? 'failed' : 'changed', ok: r !== 3, state: r === 3 ? 'failed' : 'changed' }),
  }));
}

describe('runWithProgress', () => {
  it('on a terminal: redraws at a bounded rate (not per update) and leaves one summary line', async () => {
    const term = new Term(100, 30);
    const r = await runWithProgress(tasks(80, 2000), { parallel: 8, failFast: false, verb: 'apply', display: 'live', out: term });
    expect(r).toEqual(Array.from({ length: 80 }, (_, i) => i));
    // 160,000 updates; a redraw is a handful of writes, at most 10 a second
    expect(term.writes).toBeLessThan(1000);
    const last = plain(term.text).trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^apply: 80\/80 nodes done \(79 changed, 1 failed\) · failed: node3 · \d+\.\ds$/);
  });

  it('without a terminal: plain "[node] …" lines, in task order per node; --fail-fast starts no new node', async () => {
    const out = new Term(80, 24);
    out.isTTY = false;
    const r = await runWithProgress(tasks(6, 3), { parallel: 1, failFast: true, verb: 'apply', display: 'lines', out });
    expect(r).toEqual([0, 1, 2, 3, null, null]);
    expect(out.text).toBe(['node0', 'node1', 'node2'].map((n) => `[${n}] started\n[${n}] changed\n`).join('') + '[node3] started\n[node3] failed\n');
  });

  it('display none prints nothing, and runs `parallel` at a time', async () => {
    const out = new Term(80, 24);
    let inFlight = 0;
    let peak = 0;
    const t = Array.from({ length: 20 }, (_, i) => ({
      title: `n${i}`,
      run: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return i;
      },
      done: () => ({ line: 'ok', ok: true }),
    }));
    await runWithProgress(t, { parallel: 4, failFast: false, verb: 'plan', display: 'none', out });
    expect(out.text).toBe('');
    expect(peak).toBe(4);
  });

  it('eachLimit (rollback, watch): the same pool, results in the items\' order, `parallel` at a time, a throw passed on', async () => {
    let inFlight = 0;
    let peak = 0;
    const r = await eachLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((res) => setTimeout(res, x));
      inFlight--;
      return x * 10;
    });
    expect(r).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    await expect(eachLimit([1, 2], 2, async (x) => { if (x === 2) throw new Error('boom'); return x; })).rejects.toThrow('boom');
  });
});
