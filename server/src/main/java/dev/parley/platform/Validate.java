package dev.parley.platform;

/** Input checks shared by every module; each failure is a 400 with a plain-words message. */
public final class Validate {
    public static final int NAME_MIN = 2, NAME_MAX = 20;
    public static final int EMAIL_MAX = 254;
    public static final int PASSWORD_MIN = 8, PASSWORD_MAX = 100;
    public static final int BIO_MAX = 100;
    public static final int MESSAGE_MAX = 4096;

    private Validate() {}

    /**
     * Present and free of control characters other than tab and newlines. (NUL would otherwise
     * reach PostgreSQL, which refuses it in text.)
     */
    public static String required(String value, String field) {
        if (value == null) throw ApiException.badRequest(field + " is required");
        if (hasControlCharacters(value)) throw ApiException.badRequest(field + " contains invalid characters");
        return value;
    }

    public static boolean hasControlCharacters(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return true;
        }
        return false;
    }

    public static String name(String value, String field) {
        String v = required(value, field).strip();
        int len = v.codePointCount(0, v.length());
        if (len < NAME_MIN || len > NAME_MAX) {
            throw ApiException.badRequest(field + " must be " + NAME_MIN + "-" + NAME_MAX + " characters");
        }
        return v;
    }

    /** Returns the email trimmed; case is kept for display, comparisons are case-insensitive. */
    public static String email(String value, String field) {
        String v = required(value, field).strip();
        if (v.isEmpty() || v.length() > EMAIL_MAX) {
            throw ApiException.badRequest(field + " must be 1-" + EMAIL_MAX + " characters");
        }
        int at = v.indexOf('@');
        if (at <= 0 || at == v.length() - 1 || v.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.badRequest(field + " must be a valid email address");
        }
        return v;
    }

    public static String password(String value, String field) {
        String v = required(value, field);
        if (v.length() < PASSWORD_MIN || v.length() > PASSWORD_MAX) {
            throw ApiException.badRequest(field + " must be " + PASSWORD_MIN + "-" + PASSWORD_MAX + " characters");
        }
        return v;
    }

    public static String bio(String value, String field) {
        String v = required(value, field).strip();
        if (v.codePointCount(0, v.length()) > BIO_MAX) {
            throw ApiException.badRequest(field + " must be at most " + BIO_MAX + " characters");
        }
        return v;
    }

    /** Message text: 1–4096 characters, not blank after trimming. Stored trimmed. */
    public static String messageText(String value, String field) {
        String v = required(value, field).strip();
        if (v.isEmpty()) throw ApiException.badRequest(field + " must not be empty");
        if (v.codePointCount(0, v.length()) > MESSAGE_MAX) {
            throw ApiException.badRequest(field + " must be at most " + MESSAGE_MAX + " characters");
        }
        return v;
    }

    /** Device labels are free-form; they are shown back to the user, so keep them short. */
    public static String deviceLabel(String value) {
        if (value == null || value.isBlank() || hasControlCharacters(value)) return "Unknown";
        String v = value.strip();
        return v.length() > 64 ? v.substring(0, 64) : v;
    }

    /** A positive 64-bit id taken from a path or query string. */
    public static long id(String raw, String field) {
        if (raw == null || raw.isEmpty()) throw ApiException.badRequest(field + " is required");
        try {
            long v = Long.parseLong(raw);
            if (v <= 0) throw ApiException.badRequest(field + " must be a positive integer");
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field + " must be a positive integer");
        }
    }

    /** Integer query parameter within [min, max], or the default when absent. */
    public static int intParam(String raw, String field, int min, int max, int dflt) {
        if (raw == null || raw.isEmpty()) return dflt;
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) throw ApiException.badRequest(field + " must be between " + min + " and " + max);
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field + " must be an integer between " + min + " and " + max);
        }
    }
}
