import type Koa from 'koa';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';

/** Records an API write: who (ctx.state.actor), what, and the entity before and after. */
export async function audit(db: Db, ctx: Koa.Context, entry: { action: string; entityType: string; entityId?: string; before?: unknown; after?: unknown }): Promise<void> {
  await db.insert(auditLog).values({
    actor: String(ctx.state.actor ?? 'anonymous'),
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: String(ctx.state.requestId ?? ''),
  });
}
