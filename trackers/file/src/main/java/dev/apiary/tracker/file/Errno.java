package dev.apiary.tracker.file;

/** Names of the errno values file operations fail with (x86-64 and arm64 share them). */
final class Errno {

    private static final String[] NAMES = new String[123];

    static {
        String[][] known = {
            {"1", "EPERM"}, {"2", "ENOENT"}, {"4", "EINTR"}, {"5", "EIO"}, {"6", "ENXIO"}, {"9", "EBADF"},
            {"11", "EAGAIN"}, {"12", "ENOMEM"}, {"13", "EACCES"}, {"14", "EFAULT"}, {"16", "EBUSY"},
            {"17", "EEXIST"}, {"18", "EXDEV"}, {"19", "ENODEV"}, {"20", "ENOTDIR"}, {"21", "EISDIR"},
            {"22", "EINVAL"}, {"23", "ENFILE"}, {"24", "EMFILE"}, {"26", "ETXTBSY"}, {"27", "EFBIG"},
            {"28", "ENOSPC"}, {"30", "EROFS"}, {"31", "EMLINK"}, {"36", "ENAMETOOLONG"}, {"38", "ENOSYS"},
            {"39", "ENOTEMPTY"}, {"40", "ELOOP"}, {"75", "EOVERFLOW"}, {"95", "EOPNOTSUPP"}, {"122", "EDQUOT"},
        };
        for (String[] k : known) {
            NAMES[Integer.parseInt(k[0])] = k[1];
        }
    }

    private Errno() {
    }

    /** The name of a positive errno ("ENOENT"), or "errno N" for one not listed here. */
    static String name(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }
}
