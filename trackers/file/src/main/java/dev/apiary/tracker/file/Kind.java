package dev.apiary.tracker.file;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an operation does to files, for filters: the four access kinds a user asks for.
 * An operation may be several: an {@code open(O_RDWR|O_CREAT)} that created its file is
 * read, write and create; a rename is delete (its old name) and create (its new one).
 */
public enum Kind {
    /** An open for reading (O_RDONLY or O_RDWR); in file:top, bytes read. */
    READ,
    /** An open for writing (O_WRONLY, O_RDWR, O_TRUNC), chmod and chown; in file:top, bytes written. */
    WRITE,
    /** An open that created its file, mknod, mkdir, the new name of a rename. */
    CREATE,
    /** unlink, rmdir, the old name of a rename. */
    DELETE;

    /** Its name as users type it and JSON shows it: "read". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Kinds from a user's comma-separated list ("read,write").
     *
     * @throws IllegalArgumentException naming the word that is not a kind
     */
    public static Set<Kind> parse(String list) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (String word : list.split(",")) {
            String w = word.trim().toLowerCase(Locale.ROOT);
            Kind kind = null;
            for (Kind k : values()) {
                if (k.word().equals(w)) {
                    kind = k;
                }
            }
            if (kind == null) {
                throw new IllegalArgumentException("unknown kind '" + word.trim() + "': use read, write, create or delete"
                        + " (several separated by commas)");
            }
            kinds.add(kind);
        }
        return kinds;
    }

    static List<String> words(Set<Kind> kinds) {
        List<String> words = new ArrayList<>(kinds.size());
        for (Kind k : kinds) {
            words.add(k.word());
        }
        return List.copyOf(words);
    }
}
