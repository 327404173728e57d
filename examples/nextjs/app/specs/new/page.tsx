import { source, urlSearchParams } from '../../../lib/leanspec';
import { canWrite, currentWriteAccess } from '../../../lib/writes';
import NewSpecForm, { type ProjectChoice } from './new-spec-form';

export const dynamic = 'force-dynamic';

// "New spec": a form that creates one (POST /api/specs) and opens it; with several projects
// served, in the one chosen (?project= preselects it).
export default async function NewSpecPage({ searchParams }: PageProps<'/specs/new'>) {
  const access = await currentWriteAccess();
  if (!canWrite(access)) {
    return (
      <div className="empty">
        <h1>New spec</h1>
        <p data-testid="writes-off">
          {access === 'locked' ? 'Unlock editing first (“Unlock editing”, at the top).' : 'This app does not take writes from you.'}
        </p>
      </div>
    );
  }
  const service = await source();
  const projects: ProjectChoice[] = (await service.servedProjects()).map((p) => ({ id: p.id, name: p.name || p.id, github: p.source === 'database' }));
  const requested = urlSearchParams(await searchParams).get('project');
  return (
    <>
      <h1>New spec</h1>
      <NewSpecForm projects={projects} initialProject={projects.find((p) => p.id === requested)?.id ?? projects[0]?.id ?? ''} />
    </>
  );
}
