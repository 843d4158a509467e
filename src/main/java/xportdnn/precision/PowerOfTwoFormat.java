package xportdnn.precision;

/**
 * A per-tensor format whose step is a power of two, 2^-fl (DynamicFixed's Q.F formats, F8Net's): one fractional
 * length for the whole tensor, so codes move between such formats by shifts.
 */
public interface PowerOfTwoFormat extends NumberFormat {

    /** fl: code 1 means 2^-fl. */
    int fractionalBits();

    @Override
    default int channels() {
        return 1;
    }

    @Override
    default double step(int channel) {
        return Math.scalb(1.0, -fractionalBits());
    }
}
