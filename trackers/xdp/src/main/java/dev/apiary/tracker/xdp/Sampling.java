package dev.apiary.tracker.xdp;

/**
 * Packet sampling for xdp:capture in one run of the tracker: one capture at a time, at most
 * {@code ratePerCpu} packets a second per CPU (the kernel keeps the window). Starting a
 * capture writes its filter and the rate into the control record and turns sampling on;
 * closing it turns sampling off.
 *
 * <p>Safe for concurrent use: serialized on this object, the captures' {@code close}
 * included. It holds no resource: the control record is the object's. After {@link #end}
 * (the tracker stopped, and its maps may be closed) a capture closed late writes nothing.
 */
final class Sampling {

    /** Where sampling is switched: the tracker's {@link XdpKernel}, or a test's record of the calls. */
    interface Kernel {

        /** Turns sampling on with this filter (a {@link Rule#encode}d rule) and rate per CPU, or off. */
        void capture(boolean on, int ratePerCpu, byte[] filter);
    }

    private final Kernel kernel;
    private final int ratePerCpu;
    private boolean capturing;
    private boolean ended;

    Sampling(Kernel kernel, int ratePerCpu) {
        this.kernel = kernel;
        this.ratePerCpu = ratePerCpu;
    }

    /**
     * Starts sampling the packets of an attachment that match {@code filter}.
     *
     * @throws IllegalStateException when a capture is already running (one at a time), or after {@link #end}
     */
    synchronized Capture start(Attachment a, Rule filter) {
        if (ended) {
            throw new IllegalStateException("this run of the xdp tracker has ended");
        }
        if (capturing) {
            throw new IllegalStateException("a capture is already running; one at a time");
        }
        capturing = true;
        kernel.capture(true, ratePerCpu, filter.encode(a.index(Side.HOST), a.index(Side.INNER)));
        return new Capture() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (Sampling.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    capturing = false;
                    if (!ended) {
                        kernel.capture(false, 0, new byte[Rule.SIZE]);
                    }
                }
            }
        };
    }

    /** Ends this run's sampling: later captures are refused, and one still open writes nothing when closed. */
    synchronized void end() {
        ended = true;
    }
}
