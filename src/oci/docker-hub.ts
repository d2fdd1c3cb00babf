/**
 * Docker Hub's names, once. References and docker config write it several ways; docker and skopeo
 * take all of them as the same registry, and so does layerdelta.
 */

/** The name references and credentials use for Docker Hub. */
export const DOCKER_HUB = 'docker.io';
/** The host that serves Docker Hub's distribution API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Every host name that means Docker Hub (lower case). */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  DOCKER_HUB,
  'index.docker.io',
  DOCKER_HUB_API_HOST,
  'registry.hub.docker.com',
]);

export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase());
}
