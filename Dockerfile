# Lungbridge server + OHIF viewer. Built by `docker compose up` (docker-compose.yml).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY server/package.json server/package.json
COPY viewer/package.json viewer/package.json
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
# The prebuilt OHIF dist (npm pack @ohif/app), rewritten for /viewer/.
RUN bash viewer/scripts/fetch-ohif.sh
USER node
EXPOSE 8080
CMD ["node", "server/bin/lungbridge.mjs", "serve"]
