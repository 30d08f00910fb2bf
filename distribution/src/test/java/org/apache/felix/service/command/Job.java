package org.apache.felix.service.command;

/** Test stand-in for Gogo's Job (see CommandProcessor). */
public interface Job {
    void interrupt();
}
