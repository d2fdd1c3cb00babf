import picomatch from 'picomatch';

/**
 * Repository selection: kept when it matches any --repository glob (all when none is given) and no
 * --exclude glob. `*` stays within one path segment, `**` crosses them (`team/**`).
 */
export function repositoryFilter(include: string[], exclude: string[]): (repository: string) => boolean {
  const included = include.length > 0 ? picomatch(include) : () => true;
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return (repository) => included(repository) && !excluded(repository);
}
