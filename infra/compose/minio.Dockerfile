# MinIO from the Go module proxy, the same source version as `rva stack fetch`.
ARG GOLANG_IMAGE
FROM ${GOLANG_IMAGE} AS build
ARG MINIO_MODULE
RUN GOBIN=/out go install "${MINIO_MODULE}"

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/minio /usr/local/bin/minio
ENTRYPOINT ["minio"]
