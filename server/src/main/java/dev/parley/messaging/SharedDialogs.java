package dev.parley.messaging;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Whether two users share a dialog, for signals that only a contact may receive (typing). Asked per
 * keystroke burst, so positive answers are remembered for {@link #TTL} (bounded; cleared when full)
 * and the database is asked only about pairs not seen lately. A dialog removed (its last message
 * deleted) is forgotten at once on this node, on others within the TTL. Negative answers are not
 * remembered: the first message of a new dialog must be able to change them at once.
 */
@Component
class SharedDialogs {
    static final Duration TTL = Duration.ofMinutes(10);
    private static final int MAX_PAIRS = 100_000;

    private record Pair(long low, long high) {
        static Pair of(long a, long b) {
            return new Pair(Math.min(a, b), Math.max(a, b));
        }
    }

    private final MessageRepository repo;
    private final ConcurrentHashMap<Pair, Long> known = new ConcurrentHashMap<>(); // pair -> remembered until (ms)

    SharedDialogs(MessageRepository repo) {
        this.repo = repo;
    }

    boolean share(long a, long b) {
        Pair pair = Pair.of(a, b);
        long now = System.currentTimeMillis();
        Long until = known.get(pair);
        if (until != null && until > now) return true;
        boolean shared = repo.dialogExists(pair.low(), pair.high());
        if (shared) {
            if (known.size() >= MAX_PAIRS) known.clear();
            known.put(pair, now + TTL.toMillis());
        } else if (until != null) {
            known.remove(pair, until);
        }
        return shared;
    }

    void forget(long a, long b) {
        known.remove(Pair.of(a, b));
    }
}
