package dev.parley.messaging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for sends. Concurrent sends queue up; a writer takes whatever is waiting (up to
 * {@code parley.messaging.batch-max}), runs the send statements in ONE transaction and commits
 * once. There is no artificial wait: a batch is simply what arrived while the previous commit was
 * in flight, so a lone send is not delayed and under load many sends share one WAL flush.
 * Callers block (on a virtual thread) until their own message is committed, so an acknowledged
 * message is durable exactly as before.
 *
 * <p>Every send transaction first takes the send-order lock ({@link MessageRepository#lockSendOrder}),
 * so message ids become visible in id order on every node — what {@code /api/sync} relies on.
 * That is also why one writer per node is the default: a second one would mostly wait for the lock.
 *
 * <p>If a batch fails with an error that certainly rolled it back (a constraint or a
 * deadlock/serialization failure), each send is retried on its own, so one bad send never fails
 * the others; any other error fails the batch's callers without a retry, since the commit may
 * have happened (a retry could store messages twice).
 */
@Component
class SendBatcher {
    private static final Logger log = LoggerFactory.getLogger(SendBatcher.class);
    /** A caller gives up waiting after this long (the writer is stuck or gone): it answers 5xx, nothing is acked. */
    private static final long MAX_WAIT_SECONDS = 30;

    record Command(long sender, long receiver, String body, UUID clientMessageId) {
        long low() { return Math.min(sender, receiver); }
        long high() { return Math.max(sender, receiver); }
    }

    private record Pending(Command command, CompletableFuture<Optional<MessageRepository.Sent>> result) {}

    private static final Comparator<Pending> DIALOG_ORDER = Comparator
            .comparingLong((Pending p) -> p.command().low())
            .thenComparingLong(p -> p.command().high())
            .thenComparingLong(p -> p.command().sender());

    private final MessageRepository repo;
    private final TransactionTemplate tx;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** pair → dialog id, learned after commit; never trusted blindly (a stale id fails the batch, which forgets it). */
    private record Pair(long low, long high) {}
    private static final int MAX_KNOWN_DIALOGS = 200_000;
    private final ConcurrentHashMap<Pair, Long> dialogs = new ConcurrentHashMap<>();
    private final int batchMax;
    private final List<Thread> writers = new ArrayList<>();
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;

    SendBatcher(MessageRepository repo, PlatformTransactionManager txManager, MeterRegistry meters,
                @Value("${parley.messaging.writers:1}") int writers,
                @Value("${parley.messaging.batch-max:64}") int batchMax) {
        this.repo = repo;
        this.tx = new TransactionTemplate(txManager);
        this.batchMax = Math.max(1, batchMax);
        this.batchSizes = DistributionSummary.builder("parley.messaging.send.batch.size")
                .description("Messages committed together in one send transaction").register(meters);
        for (int i = 0; i < Math.max(1, writers); i++) {
            this.writers.add(Thread.ofVirtual().name("send-writer-" + i).start(this::writeLoop));
        }
    }

    /** Stores one message; returns what the single-send statement would have returned. */
    Optional<MessageRepository.Sent> send(Command command) {
        var pending = new Pending(command, new CompletableFuture<>());
        queue.add(pending);
        if (!running && queue.remove(pending)) {
            return storeAlone(command); // shutting down: no writer will take it
        }
        try {
            return pending.result().get(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while storing a message", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Storing a message took over " + MAX_WAIT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(batchMax);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (Throwable e) {
                log.error("Send writer failed", e);
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        batchSizes.record(batch.size());
        batch.sort(DIALOG_ORDER); // groups each dialog's messages; stable, so a sender's order is kept
        // Dialogs this node has seen take the fast path (one multi-row insert for all of them);
        // the rest go through the find-or-create statement one by one. A dialog is wholly on one
        // path, so its messages keep their order.
        List<Pending> known = new ArrayList<>(), unknown = new ArrayList<>();
        List<MessageRepository.KnownDialogSend> knownSends = new ArrayList<>();
        for (Pending p : batch) {
            Command c = p.command();
            Long conv = dialogs.get(new Pair(c.low(), c.high()));
            if (conv == null) {
                unknown.add(p);
            } else {
                known.add(p);
                knownSends.add(new MessageRepository.KnownDialogSend(conv, c.sender(), c.receiver(), c.body(), c.clientMessageId()));
            }
        }
        List<Optional<MessageRepository.Sent>> unknownResults, knownResults;
        try {
            var both = tx.execute(status -> {
                repo.lockSendOrder();
                List<Optional<MessageRepository.Sent>> u = new ArrayList<>(unknown.size());
                for (Pending p : unknown) {
                    Command c = p.command();
                    u.add(repo.send(c.sender(), c.receiver(), c.body(), c.clientMessageId()));
                }
                var k = knownSends.isEmpty() ? List.<Optional<MessageRepository.Sent>>of() : repo.sendToKnownDialogs(knownSends);
                return List.of(u, k);
            });
            unknownResults = both.get(0);
            knownResults = both.get(1);
        } catch (RuntimeException batchFailed) {
            // a cached dialog may have been deleted (by another node): forget this batch's dialogs
            batch.forEach(p -> dialogs.remove(new Pair(p.command().low(), p.command().high())));
            if (rolledBack(batchFailed)) {
                log.debug("Batch of {} sends rolled back ({}); retrying one by one", batch.size(), batchFailed.toString());
                for (Pending p : batch) {
                    try {
                        p.result().complete(storeAlone(p.command()));
                    } catch (RuntimeException e) {
                        p.result().completeExceptionally(e);
                    }
                }
            } else {
                batch.forEach(p -> p.result().completeExceptionally(batchFailed));
            }
            return;
        }
        for (int i = 0; i < unknown.size(); i++) {
            var r = unknownResults.get(i);
            Command c = unknown.get(i).command();
            r.ifPresent(s -> remember(c, s.conversationId()));
            unknown.get(i).result().complete(r);
        }
        for (int i = 0; i < known.size(); i++) known.get(i).result().complete(knownResults.get(i));
    }

    private void remember(Command c, long conversationId) {
        if (dialogs.size() >= MAX_KNOWN_DIALOGS) dialogs.clear();
        dialogs.put(new Pair(c.low(), c.high()), conversationId);
    }

    /** The dialog between these users was removed (its last message deleted). */
    void forgetDialog(long a, long b) {
        dialogs.remove(new Pair(Math.min(a, b), Math.max(a, b)));
    }

    private Optional<MessageRepository.Sent> storeAlone(Command c) {
        Optional<MessageRepository.Sent> r = tx.execute(status -> {
            repo.lockSendOrder();
            return repo.send(c.sender(), c.receiver(), c.body(), c.clientMessageId());
        });
        r.ifPresent(s -> remember(c, s.conversationId()));
        return r;
    }

    /** Errors after which PostgreSQL certainly rolled the transaction back. */
    private static boolean rolledBack(RuntimeException e) {
        return e instanceof DataIntegrityViolationException
                || e instanceof PessimisticLockingFailureException
                || e instanceof CannotAcquireLockException;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        for (Thread w : writers) w.join(5_000);
        // anything still queued (a writer died or took too long) is stored directly
        Pending p;
        while ((p = queue.poll()) != null) {
            try {
                p.result().complete(storeAlone(p.command()));
            } catch (RuntimeException e) {
                p.result().completeExceptionally(e);
            }
        }
    }
}
