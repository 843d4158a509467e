package xportdnn.data;

import java.util.function.IntConsumer;

/**
 * Where long steps report how far they are: the command line draws a bar, a test or a Spark task passes
 * {@link #NONE}.
 */
@FunctionalInterface
public interface Progress {

    /** Reports nothing. */
    Progress NONE = (label, total) -> new Step() {
        @Override
        public void accept(int done) {
        }

        @Override
        public void close() {
        }
    };

    /** A step of {@code total} units (images, usually); each {@code accept(n)} reports n more done. */
    Step start(String label, long total);

    /** One running step. */
    interface Step extends IntConsumer, AutoCloseable {
        @Override
        void close();
    }
}
