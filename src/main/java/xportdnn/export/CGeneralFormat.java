package xportdnn.export;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's {@code printf("%.Ng")} (and Python's {@code '{:.Ng}'.format}) for a double. Java's {@code %g} differs: it
 * never strips trailing zeros and switches to exponent form at other thresholds, so the rule is implemented here.
 */
public final class CGeneralFormat {

    private CGeneralFormat() {
    }

    /**
     * The value rounded to {@code significantDigits} significant digits (ties to even on the exact binary value,
     * as glibc and Python do), in fixed notation when its decimal exponent X satisfies -4 <= X < digits and in
     * exponent notation otherwise, with trailing zeros (and a bare decimal point) removed; the exponent has a sign
     * and at least two digits. Non-finite values print as {@code inf}, {@code -inf}, {@code nan}; -0.0 as {@code -0}.
     */
    public static String format(double value, int significantDigits) {
        if (significantDigits < 1) {
            throw new IllegalArgumentException("significant digits must be at least 1, got " + significantDigits);
        }
        if (Double.isNaN(value)) {
            return "nan";
        }
        String sign = (Double.doubleToRawLongBits(value) < 0) ? "-" : "";
        if (Double.isInfinite(value)) {
            return sign + "inf";
        }
        if (value == 0) {
            return sign + "0";
        }
        BigDecimal rounded = new BigDecimal(Math.abs(value))
                .round(new MathContext(significantDigits, RoundingMode.HALF_EVEN))
                .stripTrailingZeros();
        String digits = rounded.unscaledValue().toString();
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < significantDigits) {
            return sign + fixed(digits, exponent);
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String expDigits = Integer.toString(Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (expDigits.length() < 2 ? "0" : "") + expDigits;
    }

    /** Significant digits (no trailing zeros) with decimal exponent {@code exponent}, written without exponent. */
    private static String fixed(String digits, int exponent) {
        if (exponent < 0) {
            return "0." + "0".repeat(-exponent - 1) + digits;
        }
        int integerDigits = exponent + 1;
        if (digits.length() <= integerDigits) {
            return digits + "0".repeat(integerDigits - digits.length());
        }
        return digits.substring(0, integerDigits) + "." + digits.substring(integerDigits);
    }
}
