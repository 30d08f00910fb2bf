package dev.apiary.tracker.file;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Flag words as strace writes them ("O_WRONLY|O_CREAT|O_TRUNC"), from the generic Linux
 * values (x86-64 and arm64 share them). Bits without a name are kept as a hex remainder.
 * A program uses a handful of distinct open flags, so decoded strings are cached.
 */
final class Flags {

    static final int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    static final int O_CREAT = 0100, O_TRUNC = 01000, O_PATH = 010000000;
    private static final int O_TMPFILE_BIT = 020000000;

    /** Open flags other than the access mode, largest compound first (O_SYNC includes O_DSYNC). */
    private static final Object[][] OPEN = {
        {04010000, "O_SYNC"}, {020200000, "O_TMPFILE"}, {0100, "O_CREAT"}, {0200, "O_EXCL"}, {0400, "O_NOCTTY"},
        {01000, "O_TRUNC"}, {02000, "O_APPEND"}, {04000, "O_NONBLOCK"}, {010000, "O_DSYNC"}, {020000, "O_ASYNC"},
        {040000, "O_DIRECT"}, {0100000, "O_LARGEFILE"}, {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},
        {01000000, "O_NOATIME"}, {02000000, "O_CLOEXEC"}, {010000000, "O_PATH"},
    };
    private static final Object[][] AT = {
        {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
        {0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"},
    };
    private static final Object[][] RENAME = {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};

    private static final int CACHE_MAX = 1024;
    private static final ConcurrentMap<Integer, String> OPEN_CACHE = new ConcurrentHashMap<>();

    private Flags() {
    }

    /** Open flags: the access mode first, then the others. */
    static String open(int flags) {
        String cached = OPEN_CACHE.get(flags);
        if (cached != null) {
            return cached;
        }
        StringBuilder out = new StringBuilder(switch (flags & O_ACCMODE) {
            case O_RDONLY -> "O_RDONLY";
            case O_WRONLY -> "O_WRONLY";
            case O_RDWR -> "O_RDWR";
            default -> "O_ACCMODE";
        });
        String words = words(flags & ~O_ACCMODE, OPEN);
        if (!words.isEmpty()) {
            out.append('|').append(words);
        }
        String decoded = out.toString();
        if (OPEN_CACHE.size() < CACHE_MAX) {
            OPEN_CACHE.put(flags, decoded);
        }
        return decoded;
    }

    /** AT_* flags of unlinkat, fchmodat(2), fchownat. */
    static String at(int flags) {
        return words(flags, AT);
    }

    /** RENAME_* flags of renameat2. */
    static String rename(int flags) {
        return words(flags, RENAME);
    }

    /** Whether an open's mode argument means anything: with O_CREAT or O_TMPFILE. */
    static boolean openUsesMode(int flags) {
        return (flags & (O_CREAT | O_TMPFILE_BIT)) != 0;
    }

    /** The device number of a mknod, as "major:minor" (the kernel's new_decode_dev). */
    static String device(int dev) {
        int major = (dev & 0xfff00) >>> 8;
        int minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
        return major + ":" + minor;
    }

    private static String words(int flags, Object[][] names) {
        StringBuilder out = new StringBuilder();
        int left = flags;
        for (Object[] n : names) {
            int bits = (Integer) n[0];
            if ((left & bits) == bits) {
                out.append(out.isEmpty() ? "" : "|").append(n[1]);
                left &= ~bits;
            }
        }
        if (left != 0) {
            out.append(out.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(left));
        }
        return out.toString();
    }
}
