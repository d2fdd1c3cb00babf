/** Image references: registry (docker.io normalised), `oci:DIR[:TAG]`, `docker-archive:FILE`. */
import { ErrorCode, UsageError } from '../errors.js';
import { isSha256Digest, looksLikeDigest } from '../oci/digest.js';
import { DOCKER_HUB, isDockerHub } from '../oci/docker-hub.js';

export type Reference = RegistryReference | OciLayoutReference | DockerArchiveReference;

export interface RegistryReference {
  transport: 'registry';
  /** Host[:port] as the user wrote it, except that Docker Hub's aliases become `docker.io` (registry/endpoint.ts picks the host requests go to). */
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

// The grammar of github.com/distribution/reference (regexp.go), anchored piece by piece so that each
// failure can say which part is wrong.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** OCI layouts name images with `org.opencontainers.image.ref.name`, which allows a little more than a tag. */
const OCI_REF_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/;
const MAX_REPOSITORY_LENGTH = 255;

const HINT =
  'expected [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST], oci:DIR[:TAG] or docker-archive:FILE[:REPO:TAG]';

function invalid(input: string, why: string): UsageError {
  return new UsageError(`invalid image reference "${input}": ${why}`, {
    code: ErrorCode.INVALID_REFERENCE,
    hint: HINT,
  });
}

/**
 * containers/image transports (skopeo's names) that layerdelta does not read: said as such, not as an
 * invalid reference. `docker://`, `oci:` and `docker-archive:` are the supported ones.
 */
const UNSUPPORTED_TRANSPORTS = ['oci-archive', 'docker-daemon', 'containers-storage'];

/** Parse what the user typed into a normalised Reference; throws UsageError with one line when it is not one. */
export function parseReference(input: string): Reference {
  const text = input.trim();
  if (text === '') throw invalid(input, 'it is empty');
  // `NAME:5000/repo` is a registry host with a port, not a transport.
  const transport = UNSUPPORTED_TRANSPORTS.find(
    (t) => text.startsWith(`${t}:`) && !/^\d+\//.test(text.slice(t.length + 1)),
  );
  if (transport !== undefined) {
    throw new UsageError(`transport "${transport}:" is not supported ("${input}")`, {
      code: ErrorCode.INVALID_REFERENCE,
      hint: 'supported: docker://REF or a registry reference, oci:DIR[:TAG], docker-archive:FILE[:REPO:TAG]; e.g. skopeo copy it to oci:DIR first',
    });
  }
  if (text.startsWith('oci:')) return parseOciLayout(input, text.slice('oci:'.length));
  if (text.startsWith('docker-archive:'))
    return parseDockerArchive(input, text.slice('docker-archive:'.length));
  if (text.startsWith('docker://')) return parseRegistryReference(input, text.slice('docker://'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw invalid(input, 'a URL is not a reference; drop the scheme (e.g. ghcr.io/owner/app:tag)');
  }
  return parseRegistryReference(input, text);
}

function checkDigest(input: string, digest: string): string {
  if (isSha256Digest(digest)) return digest;
  if (looksLikeDigest(digest)) {
    if (digest.startsWith('sha256:'))
      throw invalid(input, `digest "${digest}" must be sha256: and 64 lowercase hex digits`);
    throw invalid(input, `digest algorithm of "${digest}" is not supported (only sha256)`);
  }
  throw invalid(input, `"${digest}" is not a digest (sha256: and 64 hex digits)`);
}

function parseRegistryReference(input: string, text: string): RegistryReference {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = checkDigest(input, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  // A tag follows the last colon that comes after the last slash (a colon before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw invalid(
        input,
        `tag "${tag}" is not valid (letters, digits, _ . -; at most 128; not starting with . or -)`,
      );
    }
  }
  if (rest === '') throw invalid(input, 'the repository name is missing');

  // Like distribution's splitDockerDomain: the first component is a registry only when it looks like a host.
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (!DOMAIN_RE.test(registry)) throw invalid(input, `registry "${registry}" is not a valid host[:port]`);
  if (isDockerHub(registry)) {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (repository === '') throw invalid(input, 'the repository name is missing');
  const problem = repositoryNameProblem(repository);
  if (problem) throw invalid(input, problem);
  if (`${registry}/${repository}`.length > MAX_REPOSITORY_LENGTH) {
    throw invalid(input, `repository name is longer than ${MAX_REPOSITORY_LENGTH} characters`);
  }
  const ref: RegistryReference = { transport: 'registry', registry, repository };
  // Default tag only when the user named neither a tag nor a digest.
  if (tag !== undefined) ref.tag = tag;
  else if (digest === undefined) ref.tag = 'latest';
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Why `repository` is not a repository name of the distribution spec's grammar (path components of
 * lowercase letters and digits joined by `.`, `_`, `__` or dashes, separated by `/`), or undefined.
 * Checked before a name reaches a request URL: `..`, `?`, `#` or `%` would change what is asked.
 */
export function repositoryNameProblem(repository: string): string | undefined {
  for (const component of repository.split('/')) {
    if (PATH_COMPONENT_RE.test(component)) continue;
    if (component !== component.toLowerCase() && PATH_COMPONENT_RE.test(component.toLowerCase())) {
      return `repository "${repository}" must be lowercase`;
    }
    if (component === '') return `repository "${repository}" has an empty path component`;
    return `repository component "${component}" is not valid (lowercase letters, digits and single . _ __ - separators)`;
  }
  return undefined;
}

function parseOciLayout(input: string, text: string): OciLayoutReference {
  let rest = text;
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0 && rest.slice(at + 1).includes(':')) {
    digest = checkDigest(input, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  // Like containers/image, the path ends at the first colon: what follows names the image in index.json.
  let tag: string | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!OCI_REF_NAME_RE.test(tag))
      throw invalid(input, `image name "${tag}" in the OCI layout is not valid`);
  }
  if (rest === '') throw invalid(input, 'the OCI layout directory is missing (oci:DIR[:TAG])');
  const ref: OciLayoutReference = { transport: 'oci', path: rest };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

function parseDockerArchive(input: string, text: string): DockerArchiveReference {
  const colon = text.indexOf(':');
  const path = colon >= 0 ? text.slice(0, colon) : text;
  if (path === '') throw invalid(input, 'the archive file is missing (docker-archive:FILE[:REPO:TAG])');
  const ref: DockerArchiveReference = { transport: 'docker-archive', path };
  if (colon >= 0) {
    const tag = text.slice(colon + 1);
    const named = parseRegistryReference(input, tag);
    if (named.digest !== undefined)
      throw invalid(input, 'an image in a docker archive is named by REPO:TAG, not a digest');
    ref.tag = tag;
  }
  return ref;
}

/** The reference as text, in its normalised form (docker.io/library/alpine:latest, oci:DIR:TAG). */
export function formatReference(ref: Reference): string {
  switch (ref.transport) {
    case 'registry':
      return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
    case 'oci':
      return `oci:${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}`;
  }
}

/** Two `repo:tag` names mean the same image (docker.io and library/ normalised): for docker-archive RepoTags. */
export function sameImageName(a: string, b: string): boolean {
  try {
    return formatReference(parseReference(a)) === formatReference(parseReference(b));
  } catch {
    return a === b;
  }
}
