import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './pipeline-error.ts';

describe('isTransientDatabaseError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true],
    [{ code: '08006' }, true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('Failed query', { cause: { code: '57P03', message: 'the database system is starting up' } }), true],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, false],
    [{ code: '42P01', message: 'relation does not exist' }, false],
    [new Error('something else'), false],
  ])('%o → %s', (error, transient) => {
    expect(isTransientDatabaseError(error)).toBe(transient);
  });
});
