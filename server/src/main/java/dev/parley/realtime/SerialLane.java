package dev.parley.realtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one after another, in submission order, on a shared executor: a socket's
 * {@code message:send} events are stored in the order the client sent them, while different
 * sockets still proceed in parallel. The queue itself is unbounded: what a socket may put in it
 * is bounded before, on the event loop, by its {@link SocketBudget}.
 */
final class SerialLane {
    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    SerialLane(Executor executor) {
        this.executor = executor;
    }

    void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (draining.compareAndSet(false, true)) executor.execute(this::drain);
    }

    private void drain() {
        try {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("Socket task failed", t);
                }
            }
        } finally {
            draining.set(false);
            if (!tasks.isEmpty()) schedule(); // a task added after the last poll
        }
    }
}
