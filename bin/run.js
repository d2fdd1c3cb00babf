#!/usr/bin/env node
import { execute } from '@oclif/core';

// The AWS SDK warns on every run under Node 20 about its future requirements; that notice is not
// ours to show in a CI log (the pinned SDK works on 20). Users can still opt in by setting it to false.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await execute({ dir: import.meta.url });
