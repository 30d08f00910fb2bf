package org.apache.felix.service.command;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Test stand-in for Gogo's API (the real one is in gogo.runtime, a bundle kept off the test
 * class path): only the methods the launcher calls reflectively, with Gogo's signatures.
 */
public interface CommandProcessor {
    CommandSession createSession(InputStream in, OutputStream out, OutputStream err);
}
