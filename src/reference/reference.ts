/** Image references: registry (docker.io normalised), `oci:DIR[:TAG]`, `docker-archive:FILE`. */

export type Reference = RegistryReference | OciLayoutReference | DockerArchiveReference;

export interface RegistryReference {
  transport: 'registry';
  /** Host[:port] as used on the wire: docker.io becomes `registry-1.docker.io`? No: kept as `docker.io`; see `registryHost`. */
  registry: string;
  /** Repository path, with `library/` added for official Docker Hub images. */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface OciLayoutReference {
  transport: 'oci';
  path: string;
  /** `org.opencontainers.image.ref.name` annotation to select from index.json. */
  tag?: string;
  digest?: string;
}

export interface DockerArchiveReference {
  transport: 'docker-archive';
  path: string;
  /** `repo:tag` inside the archive's manifest.json, when it holds several images. */
  tag?: string;
}

// The parser (parseReference / formatReference / registryHost) is written by the reference module's owner.
