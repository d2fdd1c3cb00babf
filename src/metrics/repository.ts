import { basename } from 'node:path';
import type { Reference } from '../reference/reference.js';

/**
 * The `repository` label of every metric: bounded (never a tag or digest), stable across pushes.
 * Registry images: `host/repository` (e.g. `docker.io/library/alpine`, `127.0.0.1:5000/team/app`);
 * OCI layouts: the directory's basename; docker archives: the archive's `repo` (without its tag) or
 * the file's basename without `.tar`.
 */
export function repositoryLabel(ref: Reference): string {
  switch (ref.transport) {
    case 'registry':
      return `${ref.registry}/${ref.repository}`;
    case 'oci':
      return basename(ref.path.replace(/\/+$/, '')) || ref.path;
    case 'docker-archive': {
      if (ref.tag) {
        // `repo:tag` — the colon after the last `/` separates the tag (a registry port sits before it).
        const lastSlash = ref.tag.lastIndexOf('/');
        const colon = ref.tag.indexOf(':', lastSlash + 1);
        return colon === -1 ? ref.tag : ref.tag.slice(0, colon);
      }
      return basename(ref.path).replace(/\.tar$/, '');
    }
  }
}
