// Placeholder replaced by the service harness (real Orthanc + PostgreSQL); see server/test/services.ts.
export default async function setup(): Promise<void> {}
