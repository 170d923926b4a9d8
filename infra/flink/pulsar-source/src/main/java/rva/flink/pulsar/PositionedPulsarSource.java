/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.pulsar.source.PulsarSource;
import org.apache.flink.connector.pulsar.source.config.SourceConfiguration;
import org.apache.flink.connector.pulsar.source.enumerator.PulsarSourceEnumState;
import org.apache.flink.connector.pulsar.source.enumerator.cursor.StopCursor;
import org.apache.flink.connector.pulsar.source.enumerator.subscriber.PulsarSubscriber;
import org.apache.flink.connector.pulsar.source.enumerator.topic.range.RangeGenerator;
import org.apache.flink.connector.pulsar.source.split.PulsarPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.api.ValidationException;

import javax.annotation.Nullable;

import java.lang.reflect.Field;

/**
 * The connector's PulsarSource with subscriptions positioned through the admin API: its
 * reader and serializers as they are, with PositioningEnumerator and PositioningReader in
 * place of the parts that seek. The source does not expose how it was configured, so the
 * enumerator's parts are read from its fields once, when the job is planned; a connector
 * other than the pinned 4.1.0 that renamed them fails planning with a clear error.
 */
final class PositionedPulsarSource<OUT>
        implements Source<OUT, PulsarPartitionSplit, PulsarSourceEnumState>, ResultTypeQueryable<OUT> {

    private static final long serialVersionUID = 1L;

    private final PulsarSource<OUT> pulsar;
    private final SubscriptionPositions positions;
    private final PulsarSubscriber subscriber;
    private final RangeGenerator rangeGenerator;
    private final StopCursor stopCursor;
    private final SourceConfiguration configuration;

    PositionedPulsarSource(PulsarSource<OUT> pulsar, String adminUrl, SubscriptionPositions.Start start,
            @Nullable String skipTo) {
        this.pulsar = pulsar;
        this.subscriber = field(pulsar, "subscriber");
        this.rangeGenerator = field(pulsar, "rangeGenerator");
        this.stopCursor = field(pulsar, "stopCursor");
        this.configuration = field(pulsar, "sourceConfiguration");
        this.positions =
                new SubscriptionPositions(adminUrl, configuration.getSubscriptionName(), start, skipTo);
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object source, String name) {
        try {
            Field field = PulsarSource.class.getDeclaredField(name);
            field.setAccessible(true);
            return (T) field.get(source);
        } catch (ReflectiveOperationException e) {
            throw new ValidationException("rva-pulsar needs flink-connector-pulsar 4.1.0: PulsarSource has no "
                    + "field " + name + " (" + e + ")", e);
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return pulsar.getBoundedness();
    }

    @Override
    public SourceReader<OUT, PulsarPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return new PositioningReader<>(pulsar.createReader(context), positions);
    }

    @Override
    public SplitEnumerator<PulsarPartitionSplit, PulsarSourceEnumState> createEnumerator(
            SplitEnumeratorContext<PulsarPartitionSplit> context) throws Exception {
        return restoreEnumerator(context, PulsarSourceEnumState.initialState());
    }

    @Override
    public SplitEnumerator<PulsarPartitionSplit, PulsarSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<PulsarPartitionSplit> context, PulsarSourceEnumState state) throws Exception {
        return new PositioningEnumerator(subscriber, rangeGenerator, stopCursor, configuration, positions,
                context, state);
    }

    @Override
    public SimpleVersionedSerializer<PulsarPartitionSplit> getSplitSerializer() {
        return pulsar.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<PulsarSourceEnumState> getEnumeratorCheckpointSerializer() {
        return pulsar.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<OUT> getProducedType() {
        return pulsar.getProducedType();
    }
}
