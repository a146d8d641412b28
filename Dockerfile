# trail-doctor in a container, for CI jobs and the Kubernetes examples.
# Not built in CI: the build machines cannot pull base images. Build it yourself from a clone:
#   docker build -t trail-doctor .
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     trail-doctor diagnose --trail main
# or mount a read-only ~/.aws:  -v ~/.aws:/home/node/.aws:ro  (then --profile works as on the host).

# Stage 1: compile and pack, exactly what `npm pack` publishes.
FROM node:22-alpine AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY README.md LICENSE ./
RUN npm run build && npm pack --silent --pack-destination /tmp

# Stage 2: the tarball installed globally, production dependencies only, run as the non-root `node` user.
FROM node:22-alpine
ENV NODE_ENV=production NO_UPDATE_NOTIFIER=1
COPY --from=pack /tmp/trail-doctor-*.tgz /tmp/
RUN npm install -g /tmp/trail-doctor-*.tgz --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm /tmp/trail-doctor-*.tgz && npm cache clean --force
USER node
WORKDIR /home/node
ENTRYPOINT ["trail-doctor"]
CMD ["--help"]
