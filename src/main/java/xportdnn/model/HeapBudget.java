package xportdnn.model;

/**
 * How much of the Java heap one input file may take once read: half of what the heap may grow to (-Xmx). Readers
 * check what a header announces against it before allocating, so that a header claiming billions of values (a
 * hostile file, or a decompression bomb) is refused in words instead of ending in an OutOfMemoryError.
 */
public final class HeapBudget {

    private HeapBudget() {
    }

    /**
     * Refuses, as {@code <file>: <what> needs about <bytes>, more than half of ...}, reading that needs more than the
     * budget; {@code advice} (may be empty) is appended after "; ".
     */
    public static void require(Object file, String what, double neededBytes, String advice) {
        long budget = Runtime.getRuntime().maxMemory() / 2;
        if (neededBytes > budget) {
            throw new ModelException(file + ": " + what + " needs about " + OutputMemory.bytes(neededBytes)
                    + ", more than half of the " + OutputMemory.bytes(2.0 * budget) + " Java may use (-Xmx)"
                    + (advice.isEmpty() ? "" : "; " + advice));
        }
    }
}
