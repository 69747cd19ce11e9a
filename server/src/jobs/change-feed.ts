import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { changeFeedCursors } from '../db/schema.ts';
import type { OrthancRest } from '../dicomweb/orthanc-rest.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import type { Logger } from '../logger.ts';

const source = 'orthanc';
const pageSize = 100;

/**
 * Follows Orthanc's /changes feed from the cursor kept in the database and hands each
 * StableStudy to `onStableStudy`. The cursor only moves past a change once it was handled, so a
 * restart or a PACS outage loses nothing; handling must therefore be safe to repeat.
 */
export class OrthancChangeFeed {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly orthanc: OrthancRest,
    private readonly onStableStudy: (studyInstanceUid: string) => Promise<void>,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.running = this.poll()
        .catch((error) => this.log.warn('change feed poll failed; will retry', { error: String(error) }))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(tick, this.pollMs); });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async cursor(): Promise<number> {
    const [row] = await this.db.select().from(changeFeedCursors).where(eq(changeFeedCursors.source, source));
    if (row) return row.lastSeq;
    // First start: studies already in the PACS are not analysed wholesale; the API can queue them.
    const last = await this.orthanc.lastChange();
    await this.saveCursor(last);
    this.log.info('change feed starts at the current end of the feed', { seq: last });
    return last;
  }

  /**
   * Only an error worth retrying (PACS away, 5xx) holds the cursor. Any other (the study was
   * deleted after Orthanc called it stable, or Orthanc refuses to describe it) would hold it for
   * good, and no later study would be routed: it is logged and the feed moves on.
   */
  private async handleStableStudy(seq: number, orthancId: string): Promise<void> {
    try {
      await this.onStableStudy(await this.orthanc.studyInstanceUid(orthancId));
    } catch (error) {
      if (!(error instanceof PipelineError) || error.transient) throw error;
      this.log.warn('change feed: a stable study could not be routed; moving on', { seq, orthancId, code: error.code, error: error.message });
    }
  }

  private async saveCursor(seq: number): Promise<void> {
    await this.db.insert(changeFeedCursors).values({ source, lastSeq: seq })
      .onConflictDoUpdate({ target: changeFeedCursors.source, set: { lastSeq: seq, updatedAt: sql`now()` } });
  }

  /** Reads pages until Done, handling StableStudy changes in order. */
  async poll(): Promise<void> {
    let since = await this.cursor();
    for (;;) {
      const page = await this.orthanc.changes(since, pageSize);
      if (page.Changes.length === 0 && page.Last < since) {
        // Orthanc's database was replaced or reset: its sequence starts again below our cursor, and
        // waiting for it to climb past would ignore every study until then. Studies analysed
        // before are not queued again (their input fingerprint is unchanged).
        this.log.warn('change feed: Orthanc\'s last change is behind the cursor (its database was reset?); reading its feed from the start', { cursor: since, last: page.Last });
        since = 0;
        await this.saveCursor(since);
        continue;
      }
      for (const change of page.Changes) {
        if (change.ChangeType === 'StableStudy') await this.handleStableStudy(change.Seq, change.ID);
        since = change.Seq;
        await this.saveCursor(since);
      }
      if (page.Done || page.Changes.length === 0) {
        if (page.Last > since) await this.saveCursor(page.Last);
        return;
      }
    }
  }
}
