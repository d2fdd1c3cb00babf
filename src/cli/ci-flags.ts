/** The CI flags of `check`: a report file beside stdout, and the sticky pull-request comment. */
import { Flags } from '@oclif/core';

export const ciFlags = {
  'report-file': Flags.string({
    description:
      'Also write the report to FILE, in the format its extension names (.md, .json, .html, .txt); under GitHub Actions its path is the report-path step output.',
    helpValue: 'FILE',
  }),
  'pr-comment': Flags.boolean({
    description:
      'Under GitHub Actions on a pull request: post the Markdown report as a pull-request comment, edited in place by every later run (token from GITHUB_TOKEN; needs pull-requests: write). Elsewhere it says so and does nothing.',
    default: false,
  }),
};
