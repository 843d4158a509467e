package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CpuPeakTest {

    private static String cpuinfo(String vendor, int family, String mhz, String flags) {
        return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: " + family + "\n"
                + (mhz == null ? "" : "cpu MHz\t\t: " + mhz + "\n") + "flags\t\t: " + flags + "\n\n"
                + "processor\t: 1\nvendor_id\t: other\ncpu MHz\t\t: 1.0\nflags\t\t: sse\n";
    }

    @Test
    void firstProcessorIsParsed() {
        CpuInfo cpu = CpuInfo.parse(cpuinfo("AuthenticAMD", 26, "2096.022", "fpu avx2 fma avx512f"));
        assertEquals("AuthenticAMD", cpu.vendor());
        assertEquals(26, cpu.family().getAsInt());
        assertEquals(2096.022, cpu.mhz().getAsDouble(), 1e-9);
        assertTrue(cpu.flags().contains("avx512f") && !cpu.flags().contains("sse"));
    }

    @Test
    void peakIsCoresTimesClockTimesTwoFmaUnitsTimesWidthTimesTwo() {
        // Zen 5 EPYC: full 512-bit FMA units, 2 cores at 2.096 GHz: 2 * 2.096 * 2 * 16 * 2 = 268.288
        CpuInfo zen5 = CpuInfo.parse(cpuinfo("AuthenticAMD", 26, "2096.0", "avx2 fma avx512f"));
        assertEquals(268.288, CpuPeak.of(zen5, 2, OptionalDouble.empty()).orElseThrow().gflops(), 1e-9);
        // Zen 4 splits 512-bit operations into two 256-bit halves: 8 floats per unit and cycle
        CpuInfo zen4 = CpuInfo.parse(cpuinfo("AuthenticAMD", 25, "3000", "avx2 fma avx512f"));
        assertEquals(4 * 3.5 * 2 * 8 * 2, CpuPeak.of(zen4, 4, OptionalDouble.of(3.5)).orElseThrow().gflops(), 1e-9);
        CpuInfo haswell = CpuInfo.parse(cpuinfo("GenuineIntel", 6, "2500", "avx avx2 fma"));
        assertEquals(1 * 2.5 * 2 * 8 * 2, CpuPeak.of(haswell, 1, OptionalDouble.empty()).orElseThrow().gflops(), 1e-9);
    }

    @Test
    void noClockMeansNoEstimateUnlessGiven() {
        CpuInfo cpu = CpuInfo.parse(cpuinfo("GenuineIntel", 6, null, "avx2"));
        assertTrue(CpuPeak.of(cpu, 2, OptionalDouble.empty()).isEmpty());
        assertTrue(CpuPeak.of(CpuInfo.parse(""), 2, OptionalDouble.empty()).isEmpty());
        assertEquals(2 * 2.0 * 2 * 8 * 2, CpuPeak.of(cpu, 2, OptionalDouble.of(2.0)).orElseThrow().gflops(), 1e-9);
    }
}
