# Flink with the connector and Iceberg jars `rva stack fetch` puts in lib/, each
# checked against the sha256 pinned in infra/stack.yaml.
ARG FLINK_IMAGE
FROM ${FLINK_IMAGE}
ARG JARS
RUN set -eu; for pair in ${JARS}; do \
      url="${pair%=*}"; sum="${pair##*=}"; jar="/opt/flink/lib/$(basename "$url")"; \
      curl -fsSL -o "$jar" "$url"; echo "$sum  $jar" | sha256sum -c -; \
    done
