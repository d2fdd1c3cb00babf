/** `check --pr-comment`: resolve the pull request before any work, post after the report. */
import {
  commentBody,
  commentMarker,
  type PullRequest,
  pullRequestFromEnv,
  upsertComment,
} from './pr-comment.js';

/**
 * The pull request to comment on: `undefined` when the run is not for one (said on stderr, not an
 * error: the same workflow also runs on pushes). A missing token is a usage error, raised here.
 */
export function commentTarget(env: NodeJS.ProcessEnv = process.env): PullRequest | undefined {
  const pr = pullRequestFromEnv(env);
  if (!pr)
    process.stderr.write(
      'layerdelta: --pr-comment: this run is not for a pull request; no comment written\n',
    );
  return pr;
}

export async function postReportComment(
  pr: PullRequest,
  repository: string,
  markdown: string,
): Promise<void> {
  const marker = commentMarker(repository);
  const result = await upsertComment(pr, marker, commentBody(marker, markdown));
  process.stderr.write(
    `layerdelta: ${result.action} the report comment on pull request #${pr.number}${result.url ? ` (${result.url})` : ''}\n`,
  );
}
