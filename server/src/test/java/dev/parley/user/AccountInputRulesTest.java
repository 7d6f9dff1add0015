package dev.parley.user;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Emails are one plain mailbox; names and bios are visible single-line text (issue 9, "Abuse"). */
class AccountInputRulesTest extends IntegrationTest {
    /** Each of these reached several or different mailboxes when accepted as typed. */
    private static final String[] NOT_ONE_PLAIN_MAILBOX = {
            "g:a@x.test,b@x.test;", "a@x.test;b@y.test", "a@x.test,b@y.test", "victim@corp.test<me@evil.test>",
            "Victim <victim@corp.test>", "\"a@b\"@x.test", "victim(comment)@corp.test", "a@x.test b@y.test",
            "a@@x.test", ".a@x.test", "a..b@x.test", "a@-x.test", "a@x..test", "a@x.test\u0085", "ä@x.test",
            "a".repeat(65) + "@x.test"};

    @Test
    void everyEntryPointAcceptsExactlyOnePlainMailbox() {
        TestUser u = signUp("Mailbox");
        for (String bad : NOT_ONE_PLAIN_MAILBOX) {
            assertError(api.post("/api/user", Map.of("name", "Multi", "email", bad, "password", PASSWORD)), bad);
            assertError(api.post("/api/user/check-email", Map.of("email", bad)), bad);
            assertError(api.post("/api/user/reset-password", Map.of("email", bad)), bad);
            assertError(api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", bad), u.accessToken()), bad);
            var login = api.post("/api/auth/login", Map.of("email", bad, "password", PASSWORD));
            assertThat(login.status()).as(bad).isEqualTo(401);
            assertThat(login.message()).isEqualTo("Invalid password or email");
        }
        // nothing was registered under any of the addresses involved
        for (String mailbox : new String[] {"a@x.test", "b@x.test", "b@y.test", "victim@corp.test", "me@evil.test"}) {
            assertThat(api.post("/api/user/check-email", Map.of("email", mailbox)).status()).as(mailbox).isEqualTo(200);
        }
    }

    @Autowired
    JdbcClient jdbc;

    /** An address stored before the single-mailbox rule still signs in (and can then be changed). */
    @Test
    void anAccountWithAnAddressFromBeforeTheRuleCanStillSignIn() {
        TestUser u = signUp("Legacy");
        String legacy = "legacy_" + u.id() + "@under_score.test"; // '_' in the domain: refused today
        jdbc.sql("UPDATE users SET email = :e WHERE id = :id").param("e", legacy).param("id", u.id()).update();
        var login = api.post("/api/auth/login", Map.of("email", legacy.toUpperCase(), "password", PASSWORD,
                "os", "Linux", "browser", "Firefox"));
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        assertThat(api.post("/api/auth/login", Map.of("email", legacy, "password", "wrong password",
                "os", "Linux", "browser", "Firefox")).status()).isEqualTo(401);
    }

    @Test
    void theEmailIsStoredTrimmedWithALowerCaseDomainAndComparedCaseInsensitively() {
        String local = uniqueEmail("Mixed.Case").replace("@example.test", "");
        String typed = "  " + local + "+tag@Example.TEST ";
        assertThat(api.post("/api/user", Map.of("name", "Canon", "email", typed, "password", PASSWORD)).status()).isEqualTo(200);
        String stored = local + "+tag@example.test";
        EmailLink link = awaitLink(stored, "confirm-email");
        assertThat(api.get("/api/email/confirm-email?id=" + link.userId() + "&token=" + link.token()).status()).isEqualTo(200);
        TestUser u = login("Canon", stored.toUpperCase(), PASSWORD, "Linux", "Firefox");
        assertThat(api.get("/api/user/me", u.accessToken()).data().get("email").asString()).isEqualTo(stored);
        var dup = api.post("/api/user/check-email", Map.of("email", stored.toLowerCase()));
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.message()).isEqualTo("Email already in use");
    }

    @Test
    void namesAreOneLineOfVisibleTextAndTheDeletedLabelIsReserved() {
        TestUser u = signUp("Plain");
        for (String bad : new String[] {"two\nlines", "tab\there", "evil\u202Emoc.exe", "iso\u2066late\u2069", "zero\u200Bwidth",
                "join\u200Dme", "soft\u00ADhyphen", "bom\uFEFFname", "line\u2028sep", "nul\u0000x"}) {
            var r = api.post("/api/user/change/name", Map.of("newName", bad), u.accessToken());
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.message()).isEqualTo("newName contains invalid characters");
            var reg = api.post("/api/user", Map.of("name", bad, "email", uniqueEmail("badname"), "password", PASSWORD));
            assertThat(reg.status()).as(bad).isEqualTo(400);
            assertThat(reg.message()).isEqualTo("name contains invalid characters");
        }
        for (String reserved : new String[] {"Deleted account", "deleted ACCOUNT", "  Deleted   account "}) {
            var r = api.post("/api/user/change/name", Map.of("newName", reserved), u.accessToken());
            assertThat(r.status()).as(reserved).isEqualTo(400);
            assertThat(r.message()).isEqualTo("newName \"Deleted account\" is reserved");
        }
        assertThat(api.get("/api/user/me", u.accessToken()).data().get("name").asString()).isEqualTo("Plain");

        // NFC: "e" + combining acute is stored as "é", and length counts code points after normalising
        assertThat(api.post("/api/user/change/name", Map.of("newName", " Rene\u0301e "), u.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/" + u.id() + "/name").data().asString()).isEqualTo("Ren\u00e9e");
        String twentyDecomposed = "e\u0301".repeat(20);
        assertThat(api.post("/api/user/change/name", Map.of("newName", twentyDecomposed), u.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/" + u.id() + "/name").data().asString()).isEqualTo("\u00e9".repeat(20));
        // emoji are visible characters (two UTF-16 units, one code point each)
        assertThat(api.post("/api/user/change/name", Map.of("newName", "\uD83D\uDE00".repeat(20)), u.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void biosFollowTheSameCharacterRulesAndMayBeEmpty() {
        TestUser u = signUp("Biographer");
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", "I like \u00e9clairs"), u.accessToken()).status()).isEqualTo(200);
        for (String bad : new String[] {"two\nlines", "\u202Egnp.exe", "zero\u200Bwidth", "\u2067rtl\u2069"}) {
            var r = api.post("/api/user/change/bio", Map.of("newBio", bad), u.accessToken());
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.message()).isEqualTo("newBio contains invalid characters");
        }
        assertThat(api.get("/api/user/me", u.accessToken()).data().get("bio").asString()).isEqualTo("I like \u00e9clairs");
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", "x".repeat(101)), u.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", "e\u0301".repeat(100)), u.accessToken()).status()).isEqualTo(200);
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", ""), u.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", u.accessToken()).data().get("bio").asString()).isEmpty();
    }

    private static void assertError(ApiClient.Response r, String input) {
        assertThat(r.status()).as(input).isEqualTo(400);
        assertThat(r.body().get("statusCode").asInt()).isEqualTo(400);
        assertThat(r.message()).as(input).endsWith("must be a valid email address");
    }
}
