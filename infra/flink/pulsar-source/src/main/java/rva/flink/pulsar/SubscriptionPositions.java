/*
 * Licensed under the Apache License, Version 2.0 (see LICENSE in the rva repository).
 */
package rva.flink.pulsar;

import org.apache.flink.util.FlinkRuntimeException;

import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
 */
final class SubscriptionPositions implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Where a subscription that the job has no checkpoint for starts. */
    enum Start {
        EARLIEST,
        LATEST
    }

    private final String adminUrl;
    private final String subscription;
    private final Start start;

    SubscriptionPositions(String adminUrl, String subscription, Start start) {
        this.adminUrl = adminUrl.replaceAll("/+$", "");
        this.subscription = subscription;
        this.start = start;
    }

    String subscription() {
        return subscription;
    }

    /** Creates the subscription on {@code topic} at the start position, or moves it there. */
    void positionAtStart(String topic) {
        long at = start == Start.EARLIEST ? -1 : Long.MAX_VALUE;
        int created = call("PUT", topic, "", entry(at, at));
        if (created == 409) { // it exists: move it
            expect(call("POST", topic, start == Start.EARLIEST ? "/resetcursor/0" : "/skip_all", null),
                    topic, "reset to " + start);
        } else {
            expect(created, topic, "create at " + start);
        }
    }

    /**
     * Moves the subscription on {@code topic} to the entry holding {@code consumed}, that
     * entry included: a batch is read again from its start (every layer drops events it has
     * already seen), so a restore never skips the rest of a batch.
     */
    void positionAt(String topic, MessageId consumed) {
        MessageIdAdv id = (MessageIdAdv) consumed;
        String body = entry(id.getLedgerId(), id.getEntryId());
        int reset = call("POST", topic, "/resetcursor", body);
        if (reset == 404) { // the subscription went away (deleted by hand): recreate it there
            reset = call("PUT", topic, "", body);
        }
        expect(reset, topic, "reset to " + id.getLedgerId() + ":" + id.getEntryId());
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

    private int call(String method, String topic, String suffix, String body) {
        String path = topic.replaceFirst("^persistent://", "persistent/");
        URI uri = URI.create(adminUrl + "/admin/v2/" + path + "/subscription/"
                + URLEncoder.encode(subscription, StandardCharsets.UTF_8) + suffix);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json");
        request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                    .send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new FlinkRuntimeException("Pulsar admin " + adminUrl + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("interrupted while positioning " + subscription, e);
        }
    }
}
