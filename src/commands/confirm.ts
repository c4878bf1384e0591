import { createInterface } from 'node:readline/promises';

/** Asks on a terminal; only "yes" counts, like Terraform. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
