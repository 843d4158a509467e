package xportdnn.model;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The names most like a mistyped one, for an error message: "(close: conv_final, conv10)". */
public final class CloseNames {

    /** How many names a suggestion lists at most. */
    static final int SHOWN = 3;

    private CloseNames() {
    }

    /**
     * " (close: a, b)" listing up to {@value #SHOWN} of {@code names} within a few edits of {@code wanted} (or
     * containing it, or contained in it; case ignored), closest first; empty when none is.
     */
    public static String suggestion(String wanted, Collection<String> names) {
        List<String> close = closest(wanted, names);
        return close.isEmpty() ? "" : " (close: " + String.join(", ", close) + ")";
    }

    static List<String> closest(String wanted, Collection<String> names) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int allowed = Math.max(2, w.length() / 3);
        return names.stream().distinct()
                .filter(n -> distance(w, n.toLowerCase(Locale.ROOT)) <= allowed || contains(w, n.toLowerCase(Locale.ROOT)))
                .sorted(Comparator.comparingInt((String n) -> distance(w, n.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(SHOWN).toList();
    }

    private static boolean contains(String a, String b) {
        return !a.isEmpty() && !b.isEmpty() && (a.contains(b) || b.contains(a));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
