package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void namesComeFromTheCLibraryForEitherSign() {
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("ENOENT", Errno.name(-2));
        assertEquals("EACCES", Errno.name(-13));
        assertEquals("ECONNREFUSED", Errno.name(111)); // x86-64 and arm64 numbering
    }

    @Test
    void aValueWithNoNameSaysItsNumber() {
        assertEquals("errno 100000", Errno.name(100_000));
        assertEquals("errno 0", Errno.name(0));
    }
}
