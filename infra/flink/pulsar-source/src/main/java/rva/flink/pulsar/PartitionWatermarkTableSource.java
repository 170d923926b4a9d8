/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
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

import java.util.List;
import java.util.Map;

/**
 * The Pulsar table source with the planner's watermark strategy handed to the source itself
 * ({@code fromSource(source, strategy)}). Flink's source reader then runs one watermark
 * generator per split, that is per topic partition, and the reader's watermark is the
 * smallest of them; a partition idle for {@code table.exec.source.idle-timeout} stops
 * holding it back. Everything else is the wrapped source's.
 */
public class PartitionWatermarkTableSource
        implements ScanTableSource, SupportsReadingMetadata, SupportsWatermarkPushDown {

    private final ScanTableSource pulsar;
    private WatermarkStrategy<RowData> watermarkStrategy;

    public PartitionWatermarkTableSource(ScanTableSource pulsar) {
        this(pulsar, null);
    }

    private PartitionWatermarkTableSource(
            ScanTableSource pulsar, WatermarkStrategy<RowData> watermarkStrategy) {
        this.pulsar = pulsar;
        this.watermarkStrategy = watermarkStrategy;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return pulsar.getChangelogMode();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        ScanRuntimeProvider provider = pulsar.getScanRuntimeProvider(context);
        if (watermarkStrategy == null || !(provider instanceof SourceProvider)) {
            return provider; // no WATERMARK in the table: the stock source as it is
        }
        Source<RowData, ?, ?> source = ((SourceProvider) provider).createSource();
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
        this.watermarkStrategy = watermarkStrategy;
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
        return new PartitionWatermarkTableSource((ScanTableSource) pulsar.copy(), watermarkStrategy);
    }

    @Override
    public String asSummaryString() {
        return "Pulsar table source, watermarks per partition";
    }
}
