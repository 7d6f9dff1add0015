package dev.parley.messaging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for sends. Concurrent sends queue up; a few writer threads each take whatever is
 * waiting (up to {@code parley.messaging.batch-max}), run the send statements in ONE transaction
 * and commit once. There is no artificial wait: a batch is simply what arrived while the previous
 * commit was in flight, so a lone send is not delayed and under load many sends share one WAL
 * flush and one round of row locks. Callers block (on a virtual thread) until their own message
 * is committed, so an acknowledged message is durable exactly as before.
 *
 * <p>Statements run in (dialog, sender) order so two writers always take row locks in the same
 * order. If anything in a batch fails, the batch is rolled back and each send is retried on its
 * own, so one bad send never fails the others.
 */
@Component
class SendBatcher {
    private static final Logger log = LoggerFactory.getLogger(SendBatcher.class);

    record Command(long sender, long receiver, String body, UUID clientMessageId) {
        long low() { return Math.min(sender, receiver); }
        long high() { return Math.max(sender, receiver); }
    }

    private record Pending(Command command, CompletableFuture<Optional<MessageRepository.Sent>> result) {}

    private static final Comparator<Pending> LOCK_ORDER = Comparator
            .comparingLong((Pending p) -> p.command().low())
            .thenComparingLong(p -> p.command().high())
            .thenComparingLong(p -> p.command().sender());

    private final MessageRepository repo;
    private final TransactionTemplate tx;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final int batchMax;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    private final DistributionSummary batchSizes;

    SendBatcher(MessageRepository repo, PlatformTransactionManager txManager, MeterRegistry meters,
                @Value("${parley.messaging.writers:2}") int writers,
                @Value("${parley.messaging.batch-max:64}") int batchMax) {
        this.repo = repo;
        this.batchSizes = DistributionSummary.builder("parley.messaging.send.batch.size")
                .description("Messages committed together in one send transaction").register(meters);
        this.tx = new TransactionTemplate(txManager);
        this.batchMax = Math.max(1, batchMax);
        for (int i = 0; i < Math.max(1, writers); i++) {
            this.writers.add(Thread.ofVirtual().name("send-writer-" + i).start(this::writeLoop));
        }
    }

    /** Stores one message; returns what the single-send statement would have returned. */
    Optional<MessageRepository.Sent> send(Command command) {
        var pending = new Pending(command, new CompletableFuture<>());
        if (!running) return repo.send(command.sender(), command.receiver(), command.body(), command.clientMessageId());
        queue.add(pending);
        try {
            return pending.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while storing a message", e);
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
            } catch (RuntimeException e) {
                log.error("Send writer failed", e);
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        batchSizes.record(batch.size());
        if (batch.size() == 1) {
            complete(batch.getFirst());
            return;
        }
        batch.sort(LOCK_ORDER); // stable: one sender's messages keep their order
        List<Optional<MessageRepository.Sent>> results;
        try {
            results = tx.execute(status -> {
                List<Optional<MessageRepository.Sent>> out = new ArrayList<>(batch.size());
                for (Pending p : batch) {
                    Command c = p.command();
                    out.add(repo.send(c.sender(), c.receiver(), c.body(), c.clientMessageId()));
                }
                return out;
            });
        } catch (RuntimeException batchFailed) {
            // e.g. a dialog deleted under us, or a deadlock with another writer: retry one by one
            log.debug("Batch of {} sends failed ({}); retrying individually", batch.size(), batchFailed.toString());
            batch.forEach(this::complete);
            return;
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
    }

    private void complete(Pending p) {
        Command c = p.command();
        try {
            p.result().complete(repo.send(c.sender(), c.receiver(), c.body(), c.clientMessageId()));
        } catch (RuntimeException e) {
            p.result().completeExceptionally(e);
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        for (Thread w : writers) w.join(5_000);
    }
}
