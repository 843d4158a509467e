package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Expected strings were produced independently with python3: {@code '{:.12g}'.format(numpy.float32(x).item())} for
 * the float cases and {@code '{:.12g}'.format(x)} for the double cases.
 */
class CGeneralFormatTest {

    @ParameterizedTest(name = "float {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0          | 0",
        "-0.0       | -0",
        "1          | 1",
        "148.765808105 | 148.765808105",
        "1e-5       | 9.99999974738e-06",
        "123456789012345 | 1.23456788103e+14",
        "0.1        | 0.10000000149",
        "9.9999999999995e-5 | 9.99999974738e-05",
        "1e20       | 1.00000002004e+20",
        "1.4e-45    | 1.40129846432e-45",
        "1.1754942e-38 | 1.17549421069e-38",
        "3.4028235e38 | 3.40282346639e+38",
        "1e11       | 99999997952",
        "1e12       | 999999995904",
        "123456789012 | 123456790528",
        "1234567890123 | 1.23456795443e+12",
        "-2.5       | -2.5",
        "0.5        | 0.5",
        "1.5e-4     | 0.000150000007125",
        "100        | 100",
        "0.3        | 0.300000011921",
    })
    void floatValuesWidenedToDouble(String literal, String expected) {
        float f = Float.parseFloat(literal);
        assertEquals(expected, CGeneralFormat.format(f, 12));
    }

    @ParameterizedTest(name = "double {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "9.9999999999995e-5 | 0.0001",       // rounding carries into the next power of ten: fixed form
        "999999999999.5     | 1e+12",        // ... and here into exponent form
        "0.0001             | 0.0001",       // exponent -4: still fixed
        "1e-5               | 1e-05",        // exponent -5: exponent form, two exponent digits
        "1e11               | 100000000000", // exponent 11: fixed
        "1e12               | 1e+12",        // exponent 12 = precision: exponent form
        "1234567890125      | 1.23456789012e+12", // exact tie: to even
        "1234567890135      | 1.23456789014e+12", // exact tie: to even (up)
        "3.814697265625e-06 | 3.81469726562e-06", // 2^-18, exact tie: to even
        "-123.456           | -123.456",
        "1e100              | 1e+100",
        "1e-100             | 1e-100",
        "4.9e-324           | 4.94065645841e-324",
        "1.7976931348623157e308 | 1.79769313486e+308",
        "0.1                | 0.1",
        "-0.000123456789012345 | -0.000123456789012",
        "99999999999.99999  | 100000000000",
        "12345.678901234567 | 12345.6789012",
    })
    void doubleValues(String literal, String expected) {
        assertEquals(expected, CGeneralFormat.format(Double.parseDouble(literal), 12));
    }

    @Test
    void nonFiniteValues() {
        assertEquals("inf", CGeneralFormat.format(Double.POSITIVE_INFINITY, 12));
        assertEquals("-inf", CGeneralFormat.format(Float.NEGATIVE_INFINITY, 12));
        assertEquals("nan", CGeneralFormat.format(Double.NaN, 12));
        assertEquals("nan", CGeneralFormat.format(-Double.NaN, 12));
    }

    @Test
    void otherPrecisions() {
        // C: printf("%.1g", 0.25) -> 0.2 (tie to even), "%.3g" of 1234.5 -> 1.23e+03, "%.6g" of 1e-4 -> 0.0001
        assertEquals("0.2", CGeneralFormat.format(0.25, 1));
        assertEquals("1.23e+03", CGeneralFormat.format(1234.5, 3));
        assertEquals("0.0001", CGeneralFormat.format(1e-4, 6));
        assertThrows(IllegalArgumentException.class, () -> CGeneralFormat.format(1, 0));
    }
}
