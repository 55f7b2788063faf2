# syntax=docker/dockerfile:1
# Build: docker build -t kafka-lag-deno .
# Run:   docker run -v $PWD/config.yaml:/etc/kafka-lag-deno/config.yaml:ro -p 9090:9090 -p 8080:8080 kafka-lag-deno
# Deno ships linux x64 and arm64 runtimes only: there is no 32-bit ARM (arm/v7) build to compile
# for, so the image is multi-arch over linux/amd64 and linux/arm64.
FROM denoland/deno:2.9.6 AS build
ARG VERSION=0.1.0
ARG COMMIT=unknown
WORKDIR /src
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY main.ts ./
COPY src ./src
COPY scripts/stamp_version.sh ./scripts/
RUN if [ "$COMMIT" != "unknown" ]; then ./scripts/stamp_version.sh "$VERSION" "$COMMIT"; fi
# Same runtime flags (V8 heap growth, permissions) as the `start` task, which the tests run with;
# worker modules are not found by the compiler's import analysis and are named with --include.
RUN deno compile --frozen --v8-flags=--heap-growing-percent=50,--max-semi-space-size=8 --allow-net --allow-read --allow-env --allow-sys=hostname \
      --include src/config/config_worker.ts --output /out/kafka-lag-deno main.ts

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="kafka-lag-deno" \
      org.opencontainers.image.description="Kafka consumer-group lag exporter (offsets and seconds) for Prometheus" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/kafka-lag-deno/kafka-lag-deno"
COPY --from=build /out/kafka-lag-deno /usr/local/bin/kafka-lag-deno
ENV CONFIG_FILE=/etc/kafka-lag-deno/config.yaml
USER nonroot:nonroot
EXPOSE 9090 8080
ENTRYPOINT ["/usr/local/bin/kafka-lag-deno"]
