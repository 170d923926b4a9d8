/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.util.FlinkRuntimeException;

import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a subscription's cursor where a job must start reading, through the broker's admin
 * REST API, so that no consumer has to seek.
 *
 * <p>The connector positions subscriptions with a consumer it subscribes, seeks and closes
 * ({@code CursorPosition.setupSubPosition}): on a new job's enumerator and again in every
 * reader restored from a checkpoint. A seek makes the broker disconnect that consumer; its
 * client reconnects it, and when the reconnect lands after the close the broker keeps a
 * consumer nobody reads (the Exclusive subscription then refuses the job's reader), or the
 * seek fails with a closed channel and fails the job. A cursor reset through the admin API
 * involves no consumer at all.
 *
 * <p>With a skip time ({@code skip-to}, set by {@code rva pipeline skip}), a position before
 * the first message published at or after it becomes that message: the layer resumes past
 * a message it cannot get through, and everything else stays where it was.
 */
final class SubscriptionPositions implements Serializable {

    private static final long serialVersionUID = 2L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionPositions.class);
    private static final Pattern ENTRY = Pattern.compile("\"ledgerId\"\\s*:\\s*(-?\\d+).*\"entryId\"\\s*:\\s*(-?\\d+)");

    /** Where a subscription that the job has no checkpoint for starts. */
    enum Start {
        EARLIEST,
        LATEST
    }

    private final String adminUrl;
    private final String subscription;
    private final Start start;
    @Nullable private final Long skipToMs;
    /** The topic partition the skip applies to; -1 for all of them. */
    private final int skipPartition;

    /**
     * @param skipTo {@code EPOCH_MS} (every partition) or {@code EPOCH_MS@PARTITION}, or null
     */
    SubscriptionPositions(String adminUrl, String subscription, Start start, @Nullable String skipTo) {
        this.adminUrl = adminUrl.replaceAll("/+$", "");
        this.subscription = subscription;
        this.start = start;
        if (skipTo == null || skipTo.isBlank()) {
            this.skipToMs = null;
            this.skipPartition = -1;
        } else {
            String[] parts = skipTo.trim().split("@", 2);
            this.skipToMs = Long.parseLong(parts[0]);
            this.skipPartition = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
        }
    }

    /** Whether the skip time applies to {@code topic} (a partition's name ends -partition-N). */
    private boolean skips(String topic) {
        return skipToMs != null && (skipPartition < 0 || topic.endsWith("-partition-" + skipPartition));
    }

    String subscription() {
        return subscription;
    }

    /** Creates the subscription on {@code topic} at the start position, or moves it there. */
    void positionAtStart(String topic) {
        long at = start == Start.EARLIEST ? -1 : Long.MAX_VALUE;
        int created = call("PUT", topic, subscriptionPath(""), entry(at, at)).status;
        if (created == 409) { // it exists: move it
            expect(call("POST", topic, subscriptionPath(start == Start.EARLIEST ? "/resetcursor/0" : "/skip_all"),
                    null).status, topic, "reset to " + start);
        } else {
            expect(created, topic, "create at " + start);
        }
        if (skips(topic) && start == Start.EARLIEST) {
            expect(call("POST", topic, subscriptionPath("/resetcursor/" + skipToMs), null).status, topic,
                    "skip to " + skipToMs);
        }
    }

    /**
     * Moves the subscription on {@code topic} to the entry holding {@code consumed}, that
     * entry included: a batch is read again from its start (every layer drops events it has
     * already seen), so a restore never skips the rest of a batch. With a skip time past
     * that entry, to the first message published at or after it instead.
     */
    void positionAt(String topic, MessageId consumed) {
        MessageIdAdv id = (MessageIdAdv) consumed;
        long ledger = id.getLedgerId();
        long entry = id.getEntryId();
        if (skips(topic)) {
            long[] skip = firstAtOrAfter(topic, skipToMs);
            if (skip == null) { // nothing published since: skip everything
                expect(call("POST", topic, subscriptionPath("/skip_all"), null).status, topic, "skip all");
                return;
            }
            if (skip[0] > ledger || (skip[0] == ledger && skip[1] > entry)) {
                ledger = skip[0];
                entry = skip[1];
            }
        }
        String body = entry(ledger, entry);
        int reset = call("POST", topic, subscriptionPath("/resetcursor"), body).status;
        if (reset == 404) { // the subscription went away (deleted by hand): recreate it there
            reset = call("PUT", topic, subscriptionPath(""), body).status;
        }
        expect(reset, topic, "reset to " + ledger + ":" + entry);
    }

    /** The ledger and entry of the first message published at or after {@code timeMs}, or null. */
    @Nullable
    private long[] firstAtOrAfter(String topic, long timeMs) {
        Response response = call("GET", topic, "/messageid/" + timeMs, null);
        if (response.status == 404) { // nothing published at or after it
            return null;
        }
        expect(response.status, topic, "find the message published at " + timeMs);
        Matcher m = ENTRY.matcher(response.body == null ? "" : response.body);
        if (!m.find()) { // never guess: a skip that cannot be placed must not skip everything
            throw new FlinkRuntimeException("Pulsar admin " + adminUrl + ": no message id in the answer for "
                    + topic + " at " + timeMs + ": " + response.body);
        }
        long ledger = Long.parseLong(m.group(1));
        long entry = Long.parseLong(m.group(2));
        return ledger < 0 || ledger == Long.MAX_VALUE ? null : new long[] {ledger, entry};
    }

    private String subscriptionPath(String suffix) {
        return "/subscription/" + URLEncoder.encode(subscription, StandardCharsets.UTF_8) + suffix;
    }

    private static String entry(long ledgerId, long entryId) {
        return "{\"ledgerId\":" + ledgerId + ",\"entryId\":" + entryId
                + ",\"partitionIndex\":-1,\"isExcluded\":false}";
    }

    private void expect(int status, String topic, String what) {
        if (status != 204 && status != 200) {
            throw new FlinkRuntimeException(String.format(
                    "Pulsar admin %s: %s of subscription %s on %s answered HTTP %d",
                    adminUrl, what, subscription, topic, status));
        }
    }

    private static final class Response {
        final int status;
        @Nullable final String body;

        Response(int status, @Nullable String body) {
            this.status = status;
            this.body = body;
        }
    }

    /**
     * One admin call. A broker that is briefly unable to answer (HTTP 5xx, a refused or
     * dropped connection: a restart, a bookie that re-registers) is asked again, up to
     * {@code ATTEMPTS} times over about half a minute, before the job fails.
     */
    private Response call(String method, String topic, String path, @Nullable String body) {
        String topicPath = topic.replaceFirst("^persistent://", "persistent/");
        URI uri = URI.create(adminUrl + "/admin/v2/" + topicPath + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json");
        request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        String problem;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                        .send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500 || attempt == ATTEMPTS) {
                    return new Response(response.statusCode(), response.body());
                }
                problem = "HTTP " + response.statusCode();
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw new FlinkRuntimeException("Pulsar admin " + adminUrl + " unreachable: " + e, e);
                }
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlinkRuntimeException("interrupted while positioning " + subscription, e);
            }
            LOG.warn("Pulsar admin {} {} answered {}; asking again ({}/{})", method, uri, problem, attempt, ATTEMPTS);
            try {
                Thread.sleep(1000L << Math.min(attempt, 4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlinkRuntimeException("interrupted while positioning " + subscription, e);
            }
        }
    }

}
