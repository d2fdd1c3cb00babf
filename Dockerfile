# The layerdelta tool as a container image, for people who build with Docker:
#   docker build -t layerdelta:0.1.0 .
#   docker run --rm -v ~/.docker:/home/node/.docker:ro layerdelta:0.1.0 compare IMAGE_A IMAGE_B
# This repository's tests do not build this file (no Docker daemon in CI); they test the package
# it installs (test/install/package.test.ts): `npm pack`, then `npm install -g` of the tarball.
# The image the tests build and run, and the Kubernetes Job uses, comes from `npm run image`
# (scripts/build-image.ts: Debian trixie's own Node.js 20, user 65532, no daemon needed).
FROM node:20-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json README.md ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY bin bin
COPY src src
COPY docs docs
COPY deploy deploy
# prepack builds dist/ before the tarball is written.
RUN npm pack --pack-destination /tmp

FROM node:20-bookworm-slim
COPY --from=pack /tmp/layerdelta-*.tgz /tmp/
RUN npm install -g --no-audit --no-fund /tmp/layerdelta-*.tgz \
 && rm /tmp/layerdelta-*.tgz && npm cache clean --force
# Non-root (uid 1000), and nothing written outside the layer-scan cache and the system temp dir.
USER node
ENV XDG_CACHE_HOME=/cache
ENTRYPOINT ["layerdelta"]
