/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.pulsar.source.split.PulsarPartitionSplit;
import org.apache.flink.core.io.InputStatus;

import org.apache.pulsar.client.api.MessageId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The connector's reader, given its splits without a position: a split restored from a
 * checkpoint has its subscription moved back to the checkpointed message through the admin
 * API first (SubscriptionPositions), so the connector's reader does not position it with a
 * consumer that seeks. Until the reader consumes from a split again, its checkpoints carry
 * the restored position, as they would have.
 */
final class PositioningReader<OUT> implements SourceReader<OUT, PulsarPartitionSplit> {

    private final SourceReader<OUT, PulsarPartitionSplit> reader;
    private final SubscriptionPositions positions;
    private final Map<String, MessageId> restored = new HashMap<>();

    PositioningReader(SourceReader<OUT, PulsarPartitionSplit> reader, SubscriptionPositions positions) {
        this.reader = reader;
        this.positions = positions;
    }

    @Override
    public void addSplits(List<PulsarPartitionSplit> splits) {
        List<PulsarPartitionSplit> unpositioned = new ArrayList<>();
        for (PulsarPartitionSplit split : splits) {
            MessageId consumed = split.getLatestConsumedId();
            if (consumed != null && consumed != MessageId.earliest && consumed != MessageId.latest) {
                positions.positionAt(split.getPartition().getFullTopicName(), consumed);
                restored.put(split.splitId(), consumed);
                split = new PulsarPartitionSplit(split.getPartition(), split.getStopCursor(), null,
                        split.getUncommittedTransactionId());
            }
            unpositioned.add(split);
        }
        reader.addSplits(unpositioned);
    }

    @Override
    public List<PulsarPartitionSplit> snapshotState(long checkpointId) {
        List<PulsarPartitionSplit> splits = new ArrayList<>();
        for (PulsarPartitionSplit split : reader.snapshotState(checkpointId)) {
            MessageId before = restored.get(split.splitId());
            if (split.getLatestConsumedId() != null) {
                restored.remove(split.splitId()); // consumed since: its own position counts
            } else if (before != null) {
                split = new PulsarPartitionSplit(split.getPartition(), split.getStopCursor(), before,
                        split.getUncommittedTransactionId());
            }
            splits.add(split);
        }
        return splits;
    }

    @Override
    public void start() {
        reader.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<OUT> output) throws Exception {
        return reader.pollNext(output);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return reader.isAvailable();
    }

    @Override
    public void notifyNoMoreSplits() {
        reader.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        reader.handleSourceEvents(sourceEvent);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
        reader.pauseOrResumeSplits(toPause, toResume);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        reader.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        reader.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void close() throws Exception {
        reader.close();
    }
}
