/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.pulsar.common.config.PulsarClientFactory;
import org.apache.flink.connector.pulsar.source.config.SourceConfiguration;
import org.apache.flink.connector.pulsar.source.enumerator.PulsarSourceEnumState;
import org.apache.flink.connector.pulsar.source.enumerator.assigner.SplitAssigner;
import org.apache.flink.connector.pulsar.source.enumerator.cursor.StopCursor;
import org.apache.flink.connector.pulsar.source.enumerator.subscriber.PulsarSubscriber;
import org.apache.flink.connector.pulsar.source.enumerator.topic.TopicPartition;
import org.apache.flink.connector.pulsar.source.enumerator.topic.range.RangeGenerator;
import org.apache.flink.connector.pulsar.source.split.PulsarPartitionSplit;
import org.apache.flink.util.FlinkRuntimeException;

import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The split enumerator of the connector's source, except that a partition new to the job
 * is positioned through the admin API (SubscriptionPositions) instead of by a consumer
 * that seeks. Split assignment is the connector's own SplitAssigner.
 */
final class PositioningEnumerator implements SplitEnumerator<PulsarPartitionSplit, PulsarSourceEnumState> {

    private static final Logger LOG = LoggerFactory.getLogger(PositioningEnumerator.class);

    private final PulsarSubscriber subscriber;
    private final RangeGenerator rangeGenerator;
    private final SourceConfiguration configuration;
    private final SubscriptionPositions positions;
    private final SplitEnumeratorContext<PulsarPartitionSplit> context;
    private final SplitAssigner assigner;
    private final PulsarClient client;

    PositioningEnumerator(
            PulsarSubscriber subscriber,
            RangeGenerator rangeGenerator,
            StopCursor stopCursor,
            SourceConfiguration configuration,
            SubscriptionPositions positions,
            SplitEnumeratorContext<PulsarPartitionSplit> context,
            PulsarSourceEnumState state)
            throws PulsarClientException {
        this.subscriber = subscriber;
        this.rangeGenerator = rangeGenerator;
        this.configuration = configuration;
        this.positions = positions;
        this.context = context;
        this.assigner = SplitAssigner.createAssigner(stopCursor, configuration, context, state);
        this.client = PulsarClientFactory.createClient(configuration);
    }

    @Override
    public void start() {
        subscriber.open(client);
        rangeGenerator.open(configuration);
        if (context.metricGroup() != null) {
            context.metricGroup().setUnassignedSplitsGauge(assigner::getUnassignedSplitCount);
        }
        if (configuration.isEnablePartitionDiscovery()) {
            long every = configuration.getPartitionDiscoveryIntervalMs();
            context.callAsync(this::discover, this::register, 0, every);
        } else {
            context.callAsync(this::discover, this::register);
        }
    }

    private Set<TopicPartition> discover() throws Exception {
        return subscriber.getSubscribedTopicPartitions(rangeGenerator, context.currentParallelism());
    }

    private void register(Set<TopicPartition> partitions, @Nullable Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException("Cannot list the partitions to read: " + error.getMessage(), error);
        }
        for (TopicPartition partition : assigner.registerTopicPartitions(partitions)) {
            positions.positionAtStart(partition.getFullTopicName());
            LOG.info("Positioned subscription {} on {} through the admin API",
                    positions.subscription(), partition.getFullTopicName());
        }
        assign(new ArrayList<>(context.registeredReaders().keySet()));
    }

    private void assign(List<Integer> readers) {
        if (readers.isEmpty()) {
            return;
        }
        assigner.createAssignment(readers).ifPresent(context::assignSplits);
        for (Integer reader : readers) {
            if (assigner.noMoreSplits(reader)) {
                context.signalNoMoreSplits(reader);
            }
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Splits are pushed to readers as partitions are found; readers never ask.
    }

    @Override
    public void addSplitsBack(List<PulsarPartitionSplit> splits, int subtaskId) {
        assigner.addSplitsBack(splits, subtaskId);
        if (context.registeredReaders().containsKey(subtaskId)) {
            assign(new ArrayList<>(context.registeredReaders().keySet()));
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assign(List.of(subtaskId));
    }

    @Override
    public PulsarSourceEnumState snapshotState(long checkpointId) {
        return assigner.snapshotState();
    }

    @Override
    public void close() throws PulsarClientException {
        client.close();
    }
}
