package dev.parley.platform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateTest {
    @Test
    void canonicalEmailKeepsOnlyOnePlainMailbox() {
        assertThat(Validate.canonicalEmail(" Ann.Lee+x@Example.COM ")).contains("Ann.Lee+x@example.com");
        assertThat(Validate.canonicalEmail("o'hara@sub.example-mail.org")).contains("o'hara@sub.example-mail.org");
        assertThat(Validate.canonicalEmail("root@localhost")).contains("root@localhost");
        for (String bad : new String[] {"g:a@x.test,b@x.test;", "a@x.test;b@y.test", "victim@corp.test<me@evil.test>",
                "<a@x.test>", "\"q\"@x.test", "a b@x.test", "a@x.test\nb@y.test", "a@x_y.test", "a@[127.0.0.1]", "@x.test", "a@",
                "a@x.test.", "a.@x.test", "x".repeat(250) + "@x.io"}) {
            assertThat(Validate.canonicalEmail(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void invisibleAndControlCharactersAreRecognised() {
        for (int cp : new int[] {0x0A, 0x85, 0x200B, 0x200D, 0x202E, 0x2066, 0x2069, 0xFEFF, 0x00AD, 0x2028, 0x3164}) {
            assertThat(Validate.isInvisibleOrControl(cp)).as(Integer.toHexString(cp)).isTrue();
        }
        for (int cp : new int[] {'a', ' ', 0xE9, 0x1F600, 0x4E2D}) {
            assertThat(Validate.isInvisibleOrControl(cp)).as(Integer.toHexString(cp)).isFalse();
        }
    }
}
