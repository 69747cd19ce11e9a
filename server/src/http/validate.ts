import type { z } from 'zod';
import { badRequest } from './errors.ts';

/** The value as `schema` reads it, or a 400 naming each offending field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw badRequest(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), 'invalid_request');
  }
  return result.data;
}
