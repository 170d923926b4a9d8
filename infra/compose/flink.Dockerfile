# Flink with the connector and Iceberg jars `rva stack fetch` puts in lib/, each
# checked against the sha256 pinned in infra/stack.yaml, and the rva-pulsar connector
# built from infra/flink/pulsar-source (the build context is infra/).
ARG MAVEN_IMAGE
ARG FLINK_IMAGE
FROM ${MAVEN_IMAGE} AS connector
COPY flink/pulsar-source /src
RUN mvn -q -B -f /src/pom.xml -Drva.build.dir=/out package

FROM ${FLINK_IMAGE}
ARG JARS
RUN set -eu; for pair in ${JARS}; do \
      url="${pair%=*}"; sum="${pair##*=}"; jar="/opt/flink/lib/$(basename "$url")"; \
      curl -fsSL -o "$jar" "$url"; echo "$sum  $jar" | sha256sum -c -; \
    done
COPY --from=connector /out/rva-flink-pulsar-*.jar /opt/flink/lib/
