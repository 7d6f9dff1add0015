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

    String encode(Object value) {
        return mapper.writeValueAsString(value);
    }

    /** A payload netty-socketio's own Jackson writes verbatim. */
    static Object raw(String json) {
        return new RawValue(json);
    }
}
