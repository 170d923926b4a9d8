/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner's watermark strategy (idleness included) with one change, for the moment
 * the last busy partitions of a source reader fall quiet.
 *
 * <p>A source reader's watermark is the smallest over its splits (topic partitions) that
 * are not idle. When the last of them go idle, Flink marks the reader idle without ever
 * emitting the highest watermark a split reached (Flink's network inputs do flush it,
 * in StatusWatermarkValve; a source's WatermarkOutputMultiplexer does not). So a burst on
 * one partition next to a quiet message on another, a malformed one say, left every Gold
 * window of the burst open until the next message came, and which way it went depended on
 * which partition fell quiet first.
 *
 * <p>Here the last split of a reader to fall quiet first moves its watermark to the
 * highest any of the reader's splits reached, and stays active for {@code hold} before it
 * is marked idle: operators that hold a watermark back while they finish a batch (Python
 * UDFs) then pass it on before the idle status reaches them, which would drop it. A split
 * that later resumes with older events finds them late, as on a network input.
 *
 * <p>Flink creates one strategy instance per source subtask (from its serialized
 * configuration) and every split's generator through it, so the transient {@link Reader}
 * is shared by exactly one reader's splits. Generators are only called from the task
 * thread.
 */
final class QuietPartitionWatermarks<T> implements WatermarkStrategy<T> {

    private static final long serialVersionUID = 1L;

    private final WatermarkStrategy<T> planner;
    private final Duration hold;
    private transient Reader reader;

    QuietPartitionWatermarks(WatermarkStrategy<T> planner, Duration hold) {
        this.planner = planner;
        this.hold = hold;
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        if (reader == null) {
            reader = new Reader();
        }
        return new Generator<>(planner.createWatermarkGenerator(context), reader, context.getInputActivityClock(),
                hold.toNanos());
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return planner.createTimestampAssigner(context);
    }

    @Override
    public WatermarkAlignmentParams getAlignmentParameters() {
        return planner.getAlignmentParameters();
    }

    /** What one split's generator last told Flink: its watermark, and whether it is idle. */
    private static final class Split {
        long watermark = Long.MIN_VALUE;
        boolean idle;
    }

    /** The splits of one source reader. */
    private static final class Reader {
        private final List<Split> splits = new ArrayList<>();

        Split join() {
            Split split = new Split();
            splits.add(split);
            return split;
        }

        boolean othersIdle(Split split) {
            return splits.stream().allMatch(s -> s == split || s.idle);
        }

        long highestWatermark() {
            return splits.stream().mapToLong(s -> s.watermark).max().orElse(Long.MIN_VALUE);
        }
    }

    private static final class Generator<T> implements WatermarkGenerator<T> {
        private final WatermarkGenerator<T> planner;
        private final Reader reader;
        private final Split split;
        /** The clock Flink's idleness runs on: it stands still while the source is blocked. */
        private final RelativeClock clock;
        private final long holdNanos;
        private final Tracked tracked = new Tracked();
        /** Whether this split is the reader's last busy one, fallen quiet, and since when. */
        private boolean holding;
        private long quietSinceNanos;

        Generator(WatermarkGenerator<T> planner, Reader reader, RelativeClock clock, long holdNanos) {
            this.planner = planner;
            this.reader = reader;
            this.split = reader.join();
            this.clock = clock;
            this.holdNanos = holdNanos;
        }

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            split.idle = false;
            holding = false;
            tracked.out = output;
            planner.onEvent(event, eventTimestamp, tracked);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (holding) {
                if (clock.relativeTimeNanos() - quietSinceNanos >= holdNanos) {
                    holding = false;
                    split.idle = true;
                    output.markIdle();
                }
                return;
            }
            tracked.out = output;
            planner.onPeriodicEmit(tracked);
        }

        /** The output handed to the planner's generator: notes what it says, and holds
         * back the idleness of the reader's last busy split. */
        private final class Tracked implements WatermarkOutput {
            WatermarkOutput out;

            @Override
            public void emitWatermark(Watermark watermark) {
                split.watermark = Math.max(split.watermark, watermark.getTimestamp());
                out.emitWatermark(watermark);
            }

            @Override
            public void markIdle() {
                if (!reader.othersIdle(split)) {
                    split.idle = true;
                    out.markIdle();
                    return;
                }
                long highest = reader.highestWatermark();
                if (highest > split.watermark) {
                    split.watermark = highest;
                    out.emitWatermark(new Watermark(highest));
                }
                holding = true;
                quietSinceNanos = clock.relativeTimeNanos();
            }

            @Override
            public void markActive() {
                split.idle = false;
                out.markActive();
            }
        }
    }
}
