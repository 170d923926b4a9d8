/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.pulsar.source.PulsarSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

import javax.annotation.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Pulsar table source, run as a PositionedPulsarSource with the planner's watermark
 * strategy handed to the source itself ({@code fromSource(source, strategy)}). Flink's
 * source reader then runs one watermark generator per split, that is per topic partition,
 * and the reader's watermark is the smallest of them; a partition idle for
 * {@code table.exec.source.idle-timeout} stops holding it back, and the last to fall quiet
 * hands the highest watermark on (QuietPartitionWatermarks). Formats, metadata and
 * options are the wrapped source's.
 */
public class RvaPulsarTableSource implements ScanTableSource, SupportsReadingMetadata, SupportsWatermarkPushDown {

    private final ScanTableSource pulsar;
    private final String adminUrl;
    private final SubscriptionPositions.Start start;
    @Nullable private final String skipTo;
    private final Duration idleHold;
    private WatermarkStrategy<RowData> watermarkStrategy;

    RvaPulsarTableSource(ScanTableSource pulsar, String adminUrl, SubscriptionPositions.Start start,
            @Nullable String skipTo, Duration idleHold) {
        this.pulsar = pulsar;
        this.adminUrl = adminUrl;
        this.start = start;
        this.skipTo = skipTo;
        this.idleHold = idleHold;
        this.watermarkStrategy = WatermarkStrategy.noWatermarks();
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return pulsar.getChangelogMode();
    }

    @Override
    @SuppressWarnings("unchecked")
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        SourceProvider provider = (SourceProvider) pulsar.getScanRuntimeProvider(context);
        PositionedPulsarSource<RowData> source =
                new PositionedPulsarSource<>((PulsarSource<RowData>) provider.createSource(), adminUrl, start,
                        skipTo);
        WatermarkStrategy<RowData> strategy = watermarkStrategy;
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext providerContext, StreamExecutionEnvironment env) {
                // The planner names the transformation and sets its uid afterwards.
                return env.fromSource(source, strategy, "PulsarSource");
            }

            @Override
            public boolean isBounded() {
                return false;
            }
        };
    }

    @Override
    public void applyWatermark(WatermarkStrategy<RowData> watermarkStrategy) {
        this.watermarkStrategy = new QuietPartitionWatermarks<>(watermarkStrategy, idleHold);
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        return ((SupportsReadingMetadata) pulsar).listReadableMetadata();
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
        ((SupportsReadingMetadata) pulsar).applyReadableMetadata(metadataKeys, producedDataType);
    }

    @Override
    public DynamicTableSource copy() {
        RvaPulsarTableSource copy =
                new RvaPulsarTableSource((ScanTableSource) pulsar.copy(), adminUrl, start, skipTo, idleHold);
        copy.watermarkStrategy = watermarkStrategy;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "Pulsar table source: watermarks per partition, subscriptions positioned through the admin API";
    }
}
