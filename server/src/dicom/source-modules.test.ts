import { describe, expect, it } from 'vitest';
import { newInstanceModules } from './source-modules.ts';

const instance = { sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33', sopInstanceUid: '2.25.1', seriesInstanceUid: '2.25.2', modality: 'SR', seriesNumber: 9002, seriesDescription: 'x', now: new Date('2026-11-28T23:30:00Z') } as const;
const pad = (n: number) => String(n).padStart(2, '0');

describe('newInstanceModules: dates and times as the source study writes its own', () => {
  it.each([
    ['+0100', '20261129', '003000'],
    ['-0500', '20261128', '183000'],
    ['+0530', '20261129', '050000'],
  ])('at the source\'s TimezoneOffsetFromUTC %s, which the output carries', (offset, date, time) => {
    const ds = newInstanceModules({ ...instance, timezoneOffsetFromUtc: offset });
    expect(ds).toMatchObject({ TimezoneOffsetFromUTC: offset, ContentDate: date, ContentTime: time, InstanceCreationDate: date, SeriesTime: time });
  });

  it.each([[undefined], ['+2500'], ['UTC']])('in local time, with no offset claimed, when the source has none that is valid (%s)', (offset) => {
    const ds = newInstanceModules({ ...instance, timezoneOffsetFromUtc: offset });
    const local = instance.now;
    expect(ds.TimezoneOffsetFromUTC).toBeUndefined();
    expect(ds.ContentDate).toBe(`${local.getFullYear()}${pad(local.getMonth() + 1)}${pad(local.getDate())}`);
    expect(ds.ContentTime).toBe(`${pad(local.getHours())}${pad(local.getMinutes())}${pad(local.getSeconds())}`);
  });
});
