package dev.parley.realtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.parley.messaging.MessagingService;

/**
 * Where delivery stood at a past moment: samples the highest stored message id once a second and
 * answers "the highest id stored at time t" ({@link #asOf}). A node that may have lost fan-out
 * messages published after t tells its sockets to sync after {@code asOf(t - margin)}: every lost
 * message was committed after that (ids are committed in id order, see
 * {@code MessageRepository.lockSendOrder}, and an event is published right after its commit — the
 * margin covers the longest commit-to-publish delay).
 */
@Component
class DeliveryWatermark {
    private static final Logger log = LoggerFactory.getLogger(DeliveryWatermark.class);
    private static final long RETAIN_MS = Duration.ofHours(1).toMillis();

    private final MessagingService messaging;
    private final Duration margin;
    /** {at ms, highest id then}, oldest first, ids non-decreasing */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    /** the first value ever sampled: the answer for moments older than what is retained */
    private long floor = -1;
    private final Thread sampler;

    DeliveryWatermark(MessagingService messaging, @Value("${parley.realtime.resync-margin:10s}") Duration margin) {
        this.messaging = messaging;
        this.margin = margin;
        this.sampler = Thread.ofVirtual().name("delivery-watermark").start(this::sampleLoop);
    }

    Duration margin() {
        return margin;
    }

    private void sampleLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                record(System.currentTimeMillis(), messaging.latestMessageId());
            } catch (RuntimeException e) {
                log.debug("Watermark sample failed (database unavailable?)", e); // the last samples stay valid
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records that ids up to {@code id} were stored at {@code at} (the sample is taken after the query returned). */
    synchronized void record(long at, long id) {
        if (floor < 0) floor = id;
        long[] last = samples.peekLast();
        if (last != null && id <= last[1]) return; // nothing new: the older entry answers for later moments too
        samples.addLast(new long[] {at, id});
        while (samples.size() > 1 && samples.peekFirst()[0] < at - RETAIN_MS) samples.removeFirst();
    }

    /**
     * The highest id known stored at {@code at} (a lower bound: a sample is taken a little after
     * its query ran). 0 when nothing was sampled yet.
     */
    synchronized long asOf(long at) {
        long best = -1;
        for (Iterator<long[]> it = samples.descendingIterator(); it.hasNext(); ) {
            long[] s = it.next();
            if (s[0] <= at) {
                best = s[1];
                break;
            }
        }
        if (best >= 0) return best;
        return Math.max(0, Math.min(floor, samples.isEmpty() ? floor : samples.peekFirst()[1]));
    }

    /** Where clients must sync from when events published after {@code lostSince} may be lost. */
    long resyncPoint(long lostSince) {
        return asOf(lostSince - margin.toMillis());
    }

    @PreDestroy
    void stop() {
        sampler.interrupt();
    }
}
