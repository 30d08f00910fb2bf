package dev.apiary.tracker.exec;

/** Names of the errno values an exec fails with (x86-64 and arm64 share them). */
final class Errno {

    private static final String[] NAMES = new String[41];

    static {
        NAMES[1] = "EPERM";
        NAMES[2] = "ENOENT";
        NAMES[4] = "EINTR";
        NAMES[5] = "EIO";
        NAMES[7] = "E2BIG";
        NAMES[8] = "ENOEXEC";
        NAMES[9] = "EBADF";
        NAMES[11] = "EAGAIN";
        NAMES[12] = "ENOMEM";
        NAMES[13] = "EACCES";
        NAMES[14] = "EFAULT";
        NAMES[20] = "ENOTDIR";
        NAMES[21] = "EISDIR";
        NAMES[22] = "EINVAL";
        NAMES[23] = "ENFILE";
        NAMES[24] = "EMFILE";
        NAMES[26] = "ETXTBSY";
        NAMES[36] = "ENAMETOOLONG";
        NAMES[40] = "ELOOP";
    }

    private Errno() {
    }

    /** The name of a positive errno, or "errno N" when it is not one exec returns. */
    static String name(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }
}
