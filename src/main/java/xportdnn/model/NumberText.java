package xportdnn.model;

/**
 * A number as a user typed it in a message or a name: a whole number without Java's trailing ".0" ({@code 255},
 * not {@code 255.0}), any other the shortest text that reads back to it.
 */
public final class NumberText {

    /** Below this size a whole double is held exactly and fits a long. */
    private static final double EXACT = 0x1p53;

    private NumberText() {
    }

    public static String of(double v) {
        return v == Math.rint(v) && Math.abs(v) < EXACT ? Long.toString((long) v) : Double.toString(v);
    }

    /** A float's own shortest text ({@code 0.1f} is "0.1", not the double nearest to it). */
    public static String of(float v) {
        return v == Math.rint(v) && Math.abs(v) < EXACT ? Long.toString((long) v) : Float.toString(v);
    }
}
