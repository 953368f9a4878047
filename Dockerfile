# mdmca serve: every simulator on one HTTP (8080) and one HTTPS (8443) port.
#   docker build -t mdmca . && docker run --rm -p 8080:8080 -p 8443:8443 mdmca
# State is in memory unless a volume is mounted and --data given:  ... mdmca serve --data /data
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary is reachable.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
# The container's port mapping is its loopback; the credentials inside are public test fixtures.
EXPOSE 8080 8443
USER node
ENV MDMCA_PKI_DIR=/tmp/mdmca-pki
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--host", "0.0.0.0", "--json"]
