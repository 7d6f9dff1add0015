package dev.parley.realtime;

import com.fasterxml.jackson.databind.util.RawValue;

import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes event payloads once (with the application's JSON mapper, so REST and socket payloads look
 * the same); netty-socketio then copies the ready string into each recipient's packet.
 */
@Component
class SocketJson {
    private final JsonMapper mapper;

    SocketJson(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The last value this thread encoded: a socket send publishes the message (encoded for the
     * recipients) and then acks the sender with the same object, which then costs no second encode.
     */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

    String encode(Object value) {
        Object[] last = LAST.get();
        if (last[0] == value && value != null) return (String) last[1];
        String json = mapper.writeValueAsString(value);
        last[0] = value;
        last[1] = json;
        return json;
    }

    /** The success envelope around an already encoded payload. */
    static String okEnvelope(String dataJson) {
        return "{\"statusCode\":200,\"message\":\"OK\",\"data\":" + dataJson + "}";
    }

    /** A payload netty-socketio's own Jackson writes verbatim. */
    static Object raw(String json) {
        return new RawValue(json);
    }
}
