package dev.parley.platform;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Input checks shared by every module; each failure is a 400 with a plain-words message. */
public final class Validate {
    public static final int NAME_MIN = 2, NAME_MAX = 20;
    public static final int EMAIL_MAX = 254;
    public static final int PASSWORD_MIN = 8, PASSWORD_MAX = 100;
    public static final int BIO_MAX = 100;
    public static final int MESSAGE_MAX = 4096;
    /** The name every deleted account shows; nobody may take it. */
    public static final String DELETED_ACCOUNT = "Deleted account";

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

    /**
     * A display name: one line of visible text, NFC-normalised and trimmed, 2–20 code points
     * (counted after normalisation, as before: code points, not UTF-16 units). Refused: control
     * characters (newlines included), format characters (Cf: bidi overrides and isolates,
     * zero-width space/joiners, soft hyphen, BOM), line/paragraph separators, lone surrogates, and
     * the label {@value #DELETED_ACCOUNT} in any case, which stands for deleted accounts.
     */
    public static String name(String value, String field) {
        String v = visibleText(value, field);
        int len = v.codePointCount(0, v.length());
        if (len < NAME_MIN || len > NAME_MAX) {
            throw ApiException.badRequest(field + " must be " + NAME_MIN + "-" + NAME_MAX + " characters");
        }
        if (v.replaceAll("\\s+", " ").equalsIgnoreCase(DELETED_ACCOUNT)) {
            throw ApiException.badRequest(field + " \"" + DELETED_ACCOUNT + "\" is reserved");
        }
        return v;
    }

    /** What {@link #name} and {@link #bio} accept before their own rules: NFC, trimmed, visible characters only. */
    private static String visibleText(String value, String field) {
        if (value == null) throw ApiException.badRequest(field + " is required");
        String v = Normalizer.normalize(value, Normalizer.Form.NFC).strip();
        for (int i = 0; i < v.length(); ) {
            int cp = v.codePointAt(i);
            if (isInvisibleOrControl(cp)) throw ApiException.badRequest(field + " contains invalid characters");
            i += Character.charCount(cp);
        }
        return v;
    }

    static boolean isInvisibleOrControl(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.UNASSIGNED -> true;
            // Hangul fillers render as nothing but are letters (Lo)
            default -> cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0;
        };
    }

    /**
     * Exactly one plain mailbox, {@code local@domain}, ASCII: no display name, comment, quotes,
     * angle brackets, group syntax, commas, semicolons, whitespace or control characters, so an
     * address can never expand to several or different recipients. Returned trimmed with the
     * domain in lower case; the local part keeps its case for display (comparisons are
     * case-insensitive, as the contract says).
     */
    public static String email(String value, String field) {
        String v = required(value, field).strip();
        if (v.isEmpty() || v.length() > EMAIL_MAX) {
            throw ApiException.badRequest(field + " must be 1-" + EMAIL_MAX + " characters");
        }
        return canonicalEmail(v).orElseThrow(() -> ApiException.badRequest(field + " must be a valid email address"));
    }

    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** The canonical form of a plain mailbox (see {@link #email}), or empty when it is not one. */
    public static Optional<String> canonicalEmail(String value) {
        if (value == null) return Optional.empty();
        String v = value.strip();
        if (v.length() > EMAIL_MAX) return Optional.empty();
        int at = v.lastIndexOf('@');
        if (at <= 0 || at > 64 || at == v.length() - 1) return Optional.empty();
        String local = v.substring(0, at), domain = v.substring(at + 1);
        if (!LOCAL_PART.matcher(local).matches() || !DOMAIN.matcher(domain).matches()) return Optional.empty();
        return Optional.of(local + "@" + domain.toLowerCase(Locale.ROOT));
    }

    /**
     * For sign-in only: an address stored before the single-mailbox rule (anything with an {@code @}
     * and no whitespace or control characters, as registration accepted then), so such accounts
     * can still sign in and change their address. Never used to send mail. Null when not even that.
     */
    public static String legacyEmailLookup(String value) {
        if (value == null) return null;
        String v = value.strip();
        if (v.isEmpty() || v.length() > EMAIL_MAX || v.indexOf('@') < 0) return null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) return null;
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

    /** Like a name without the length floor and the reserved label: may be empty, at most 100 code points. */
    public static String bio(String value, String field) {
        String v = visibleText(value, field);
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
