import { logger } from "../logger.server";
import type { Sql, SqlRunner } from "./sql.server";

/**
 * Group commit: writes submitted while a transaction is being written wait
 * for the next one, and go in together. Each caller's promise settles only
 * after the transaction holding its write committed, so an answer given after
 * `submit` resolves is backed by durable data. Under load one commit carries
 * many writes; alone, a write waits only for the current tick.
 *
 * If a batch fails as a whole, each of its writes is tried again in a
 * transaction of its own, so one bad write fails only its own caller.
 */
class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly sql: () => Sql,
    private readonly write: (tx: SqlRunner, item: I) => Promise<O>,
    private readonly maxBatch = 256,
    private readonly gapMs = 0,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the other requests of this tick join the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.sql().transaction(async (tx) => {
          const out: O[] = [];
          for (const entry of batch) out.push(await this.write(tx, entry.item));
          return out;
        });
        batch.forEach((entry, index) => entry.resolve(results[index]!));
      } catch (error) {
        logger.warn(
          { err: error, writes: batch.length },
          "a group commit failed as a whole; its writes are tried again one by one",
        );
        for (const entry of batch) {
          try {
            entry.resolve(await this.sql().transaction((tx) => this.write(tx, entry.item)));
          } catch (error) {
            entry.reject(error);
          }
        }
      }
      // See TransactionBatcher's `gapMs`: the next batch grows meanwhile.
      if (this.gapMs > 0 && this.queue.length > 0)
        await new Promise((resolve) => setTimeout(resolve, this.gapMs));
    }
    this.flushing = false;
  }
}

/**
 * Group commit for arbitrary short writes: each caller hands a function that
 * runs its statements on the shared transaction. The function must only run
 * SQL through `tx`, and should report expected outcomes (a lost race) by its
 * result rather than by throwing: a throw rolls back the whole batch, and
 * every write in it is run again on its own.
 */
export class TransactionBatcher {
  private readonly commits: GroupCommit<(tx: SqlRunner) => Promise<unknown>, unknown>;

  /**
   * `gapMs`: a pause between one transaction and the next while writes keep
   * coming. On SQLite, whose one write lock no process queues for, a busy
   * background process (the worker) otherwise takes the lock again the moment
   * it lets go, and the web process, polling for it, can wait seconds: the
   * gap is its window. The worker's next batch grows meanwhile.
   */
  constructor(sql: () => Sql, options: { maxBatch?: number; gapMs?: number } = {}) {
    this.commits = new GroupCommit(
      sql,
      (tx, write) => write(tx),
      options.maxBatch ?? 256,
      options.gapMs ?? 0,
    );
  }

  run<T>(write: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.commits.submit(write) as Promise<T>;
  }
}
