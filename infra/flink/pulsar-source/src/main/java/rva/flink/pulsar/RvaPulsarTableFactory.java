/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.pulsar.table.PulsarTableFactory;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code 'connector' = 'rva-pulsar'}: Flink's Pulsar table connector (4.1.0) with every
 * option it has, plus {@code admin-url}, and a source that
 *
 * <ul>
 *   <li>takes the table's WATERMARK itself, so event time is tracked per topic partition
 *       rather than behind a reader that mixes partitions (the stock source does not
 *       implement SupportsWatermarkPushDown: reading a backlog faster than real time then
 *       pushes the watermark past whichever partition the reader reads second);
 *   <li>hands the highest watermark on when its last busy partitions fall quiet
 *       (QuietPartitionWatermarks; {@code source.idle-hold});
 *   <li>positions its subscription through the admin API, never with a consumer that
 *       seeks (see SubscriptionPositions), on a job's first start and on every restore.
 * </ul>
 *
 * <p>{@code source.start.message-id} must be {@code earliest} or {@code latest}. {@code skip-to}
 * ({@code EPOCH_MS} or {@code EPOCH_MS@PARTITION}) makes a layer resume no earlier than the
 * first message published then, for {@code rva pipeline skip}.
 */
public class RvaPulsarTableFactory extends PulsarTableFactory {

    public static final String IDENTIFIER = "rva-pulsar";

    public static final ConfigOption<String> ADMIN_URL = ConfigOptions.key("admin-url")
            .stringType()
            .noDefaultValue()
            .withDescription("The broker's admin REST URL, for positioning subscriptions.");

    public static final ConfigOption<String> SKIP_TO = ConfigOptions.key("skip-to")
            .stringType()
            .noDefaultValue()
            .withDescription("EPOCH_MS or EPOCH_MS@PARTITION: resume no earlier than the first message "
                    + "published then, on every partition or on that one (rva pipeline skip).");

    public static final ConfigOption<Duration> IDLE_HOLD = ConfigOptions.key("source.idle-hold")
            .durationType()
            .defaultValue(Duration.ZERO)
            .withDescription("How long the last busy partition of a reader, fallen quiet, stays active "
                    + "with the reader's highest watermark before it is marked idle (QuietPartitionWatermarks).");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        Set<ConfigOption<?>> options = super.requiredOptions();
        options.add(ADMIN_URL);
        return options;
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = super.optionalOptions();
        options.add(SKIP_TO);
        options.add(IDLE_HOLD);
        return options;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        Map<String, String> options = context.getCatalogTable().getOptions();
        String start = options.getOrDefault("source.start.message-id", "earliest").toLowerCase(Locale.ROOT);
        if (!start.equals("earliest") && !start.equals("latest")) {
            throw new ValidationException("rva-pulsar positions subscriptions itself: "
                    + "source.start.message-id must be 'earliest' or 'latest', got '" + start + "'");
        }
        ScanTableSource pulsar = (ScanTableSource) super.createDynamicTableSource(context);
        return new RvaPulsarTableSource(pulsar, options.get(ADMIN_URL.key()),
                SubscriptionPositions.Start.valueOf(start.toUpperCase(Locale.ROOT)),
                options.get(SKIP_TO.key()), Configuration.fromMap(options).get(IDLE_HOLD));
    }
}
