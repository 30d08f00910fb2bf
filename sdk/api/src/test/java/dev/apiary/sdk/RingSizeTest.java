package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RingSizeTest {

    @Test
    void aPowerOfTwoOfAtLeastAPageAndAtMostAGibibyte() {
        assertEquals(16 << 20, RingSize.bytes(16384), "a power of two stays");
        assertEquals(256 * 1024, RingSize.bytes(256));
        assertEquals(512 * 1024, RingSize.bytes(300), "rounded up");
        assertEquals(1 << 20, RingSize.bytes(1000));
        assertEquals(8192, RingSize.bytes(5));
        assertEquals(4096, RingSize.bytes(4), "a page");
        assertEquals(4096, RingSize.bytes(1), "at least a page");
        assertEquals(4096, RingSize.bytes(0));
        assertEquals(4096, RingSize.bytes(-1));
        assertEquals(1 << 30, RingSize.bytes(1 << 20), "the metatype's largest, 1 GiB");
        assertEquals(1 << 30, RingSize.bytes((1 << 20) + 1), "at most 1 GiB");
        assertEquals(1 << 30, RingSize.bytes(Integer.MAX_VALUE));
    }
}
