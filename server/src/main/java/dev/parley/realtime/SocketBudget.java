package dev.parley.realtime;

/**
 * What one socket may make this node do, decided on the event loop before anything is queued,
 * parsed further or sent to Redis: a token bucket of events ({@code rate}/s, bursts of
 * {@code burst}; off when rate limiting is disabled) and a bound on the socket's work still pending
 * (queued or running). Refused events are answered at once (429). A socket that keeps going
 * regardless — more refusals than {@code dropAfter}, forgiven at {@code rate}/s — is disconnected.
 */
final class SocketBudget {
    /** DROP is returned once; events the socket still had in flight after that are IGNOREd. */
    enum Verdict { ADMIT, REFUSE, DROP, IGNORE }

    private final boolean bucketOn;
    private final double perNano;
    private final double burst;
    private final int maxPending;
    private final double dropAfter;
    private double tokens;
    private double refusals;
    private long last;
    private int pending;
    private boolean dropped;

    SocketBudget(boolean bucketOn, double ratePerSecond, int burst, int maxPending, int dropAfter, long nowNanos) {
        this.bucketOn = bucketOn;
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.maxPending = maxPending;
        this.dropAfter = dropAfter;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** On ADMIT the caller owns one pending slot and must {@link #done()} it when the work ends. */
    synchronized Verdict admit(long nowNanos) {
        if (dropped) return Verdict.IGNORE;
        double refill = (nowNanos - last) * perNano;
        last = nowNanos;
        tokens = Math.min(burst, tokens + refill);
        refusals = Math.max(0, refusals - refill);
        if (pending < maxPending && (!bucketOn || tokens >= 1)) {
            if (bucketOn) tokens -= 1;
            pending++;
            return Verdict.ADMIT;
        }
        refusals += 1;
        if (refusals <= dropAfter) return Verdict.REFUSE;
        dropped = true;
        return Verdict.DROP;
    }

    synchronized void done() {
        if (pending > 0) pending--;
    }

    synchronized int pending() {
        return pending;
    }
}
