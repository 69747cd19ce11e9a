import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildAppConfig, defaultAppConfigOptions, renderAppConfigJs, type AppConfigOptions } from './app-config.ts';

interface FakeWindow {
  config?: ReturnType<typeof buildAppConfig> & { httpErrorHandler?: (error: { status: number }) => void };
  location: { origin: string; pathname: string; search: string; assign: (url: string) => void };
}

/** Runs app-config.js the way the browser does: a classic script that sets window.config. */
function runAppConfig(options: AppConfigOptions = defaultAppConfigOptions) {
  const assigned: string[] = [];
  const window: FakeWindow = {
    location: {
      origin: 'https://lungbridge.hospital.example',
      pathname: '/viewer/viewer',
      search: '?StudyInstanceUIDs=1.2.3',
      assign: (url) => assigned.push(url),
    },
  };
  const warnings: unknown[] = [];
  vm.runInNewContext(renderAppConfigJs(options), { window, console: { warn: (...args: unknown[]) => warnings.push(args) } });
  if (!window.config) throw new Error('app-config.js did not set window.config');
  return { config: window.config, assigned, warnings };
}

describe('app-config.js', () => {
  const { config } = runAppConfig();
  const [source] = config.dataSources;

  it('has one DICOMweb data source: the Lungbridge proxy on the page origin', () => {
    expect(config.dataSources).toHaveLength(1);
    expect(config.defaultDataSourceName).toBe(source.sourceName);
    expect(source.namespace).toBe('@ohif/extension-default.dataSourcesModule.dicomweb');
    for (const root of [source.configuration.qidoRoot, source.configuration.wadoRoot, source.configuration.wadoUriRoot]) {
      expect(root).toBe('https://lungbridge.hospital.example/dicom-web');
    }
  });

  it('uses the settings Orthanc 1.10 needs', () => {
    expect(source.configuration).toMatchObject({
      imageRendering: 'wadors',
      thumbnailRendering: 'wadors',
      qidoSupportsIncludeField: true,
      supportsWildcard: true,
      supportsFuzzyMatching: true,
      omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true, relativeResolution: 'studies' },
    });
  });

  it('routes under /viewer and loads SR and SEG without prompts or tour', () => {
    expect(config.routerBasename).toBe('/viewer');
    expect(config.measurementTrackingMode).toBe('simplified');
    expect(config.disableConfirmationPrompts).toBe(true);
    expect(config.investigationalUseDialog).toEqual({ option: 'never' });
    expect(config.customizationService).toEqual({ 'ohif.tours': { $set: [] } });
  });

  it('sends the browser to the login page, and back, when the session has expired', () => {
    const { config: loaded, assigned } = runAppConfig();
    loaded.httpErrorHandler?.({ status: 401 });
    expect(assigned).toEqual([`/login?next=${encodeURIComponent('/viewer/viewer?StudyInstanceUIDs=1.2.3')}`]);
  });

  it('only warns on other HTTP errors', () => {
    const { config: loaded, assigned, warnings } = runAppConfig();
    loaded.httpErrorHandler?.({ status: 500 });
    expect(assigned).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('follows the options', () => {
    const { config: custom, assigned } = runAppConfig({
      routerBasename: '/ohif',
      dicomWebPath: '/pacs/dicom-web/',
      loginPath: '/auth/login',
      friendlyName: 'Radiology',
    });
    expect(custom.routerBasename).toBe('/ohif');
    expect(custom.dataSources[0].configuration.qidoRoot).toBe('https://lungbridge.hospital.example/pacs/dicom-web');
    expect(custom.dataSources[0].configuration.friendlyName).toBe('Radiology');
    custom.httpErrorHandler?.({ status: 401 });
    expect(assigned[0]).toMatch(/^\/auth\/login\?next=/);
  });
});
