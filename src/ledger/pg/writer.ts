/**
 * Appends that come back with their receipt's checkpoint: the sequencer acknowledges
 * an append once its batch has committed, then the publisher supplies the first
 * published checkpoint that includes it (publishing one on demand if needed). What a
 * caller uses when its answer carries a proof — a certificate bundle, an evidence
 * receipt; the raw `Sequencer` is for callers that need only the commit.
 */
import type { Publisher } from './publisher.ts';
import type { AppendEffect, AppendManyEffect, Integrated, Sequencer } from './sequencer.ts';
import type { StoredCheckpoint } from './store.ts';

/** An append acknowledged after its batch committed, with the first published checkpoint that includes it. */
export interface Appended<T = void> extends Integrated<T> {
  checkpoint: StoredCheckpoint;
}

export class LogWriter {
  constructor(
    readonly sequencer: Sequencer,
    readonly publisher: Publisher,
  ) {}

  /** Append one entry; resolves after its batch committed and a checkpoint including it is published. */
  append(entry: Uint8Array): Promise<Appended<void>> {
    return this.published(this.sequencer.append(entry));
  }

  /** `Sequencer.appendWith`, then the checkpoint. */
  appendWith<T>(effect: AppendEffect<T>): Promise<Appended<T>> {
    return this.published(this.sequencer.appendWith(effect));
  }

  /** `Sequencer.appendManyWith`, then the checkpoint. */
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Appended<T>> {
    return this.published(this.sequencer.appendManyWith(effect));
  }

  /** Stop accepting appends, settle the queued ones (with their checkpoints), stop publishing. */
  async close(): Promise<void> {
    await this.sequencer.close();
    await this.publisher.close();
  }

  private async published<T>(integrated: Promise<Integrated<T>>): Promise<Appended<T>> {
    const a = await integrated;
    return { ...a, checkpoint: await this.publisher.waitForCheckpoint(a.treeSize) };
  }
}
