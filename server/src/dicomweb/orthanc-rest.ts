import { PipelineError } from '../errors/pipeline-error.ts';

export interface OrthancChange {
  readonly Seq: number;
  readonly ChangeType: string;
  readonly ResourceType: string;
  readonly ID: string;
}

export interface OrthancChangesPage {
  readonly Changes: readonly OrthancChange[];
  readonly Done: boolean;
  readonly Last: number;
}

/**
 * The few Orthanc-specific REST calls DICOMweb has no equivalent for: the change feed, and
 * mapping Orthanc's resource ids (which the feed speaks) to DICOM UIDs (which everything else speaks).
 */
export class OrthancRest {
  private readonly authorization?: string;

  constructor(private readonly baseUrl: string, username?: string, password?: string) {
    this.authorization = username ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` : undefined;
  }

  private async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers: this.authorization ? { authorization: this.authorization } : {},
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new PipelineError('pacs-unavailable', `Orthanc unreachable (${path})`, true, { cause: error });
    }
    if (!response.ok) {
      throw new PipelineError(response.status >= 500 ? 'pacs-unavailable' : 'pacs-rejected', `Orthanc answered HTTP ${response.status} to ${path}`, response.status >= 500);
    }
    return (await response.json()) as T;
  }

  changes(since: number, limit: number): Promise<OrthancChangesPage> {
    return this.get(`/changes?since=${since}&limit=${limit}`);
  }

  async lastChange(): Promise<number> {
    return (await this.get<OrthancChangesPage>('/changes?last')).Last;
  }

  async studyInstanceUid(orthancStudyId: string): Promise<string> {
    const study = await this.get<{ MainDicomTags: { StudyInstanceUID: string } }>(`/studies/${orthancStudyId}`);
    return study.MainDicomTags.StudyInstanceUID;
  }

  async system(): Promise<{ Version: string; Name: string }> {
    return this.get('/system');
  }
}
