/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.connector.pulsar.table.PulsarTableFactory;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;

/**
 * {@code 'connector' = 'rva-pulsar'}: Flink's Pulsar table connector with every option it
 * has, whose source takes the table's WATERMARK itself, so that event time is tracked per
 * topic partition rather than after a reader that mixes partitions.
 *
 * <p>The stock {@code pulsar} source (connector 4.1.0) does not implement
 * SupportsWatermarkPushDown, so the planner puts one watermark assigner behind each reader:
 * a reader that holds several partitions interleaves them in fetch-sized runs, and reading a
 * backlog faster than real time then pushes the watermark past the partition it reads second.
 */
public class PartitionedPulsarTableFactory extends PulsarTableFactory {

    public static final String IDENTIFIER = "rva-pulsar";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        return new PartitionWatermarkTableSource((ScanTableSource) super.createDynamicTableSource(context));
    }
}
