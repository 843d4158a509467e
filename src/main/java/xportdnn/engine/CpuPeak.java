package xportdnn.engine;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A CPU's peak float32 rate: cores x clock x FMA units per core x floats per vector x 2 (an FMA is two flops).
 * Every x86 server core since Intel Haswell and AMD Zen has two FMA units. The vector width follows the flags,
 * except that AMD's Zen 1 (family 23) runs 256-bit operations as two 128-bit halves and Zen 4 (family 25) runs
 * 512-bit ones as two 256-bit halves. /proc/cpuinfo's clock is the base clock (turbo can run above it), and a
 * virtual machine's "cores" may be hyperthreads sharing one core's FMA units: so this is an estimate, which a
 * user may replace.
 */
public record CpuPeak(int cores, double ghz, int fmaUnits, int floatsPerVector) {

    /** Two FMA units; cores as given; the clock from cpuinfo unless {@code clockGhz} is given; empty without a clock. */
    public static Optional<CpuPeak> of(CpuInfo cpu, int cores, OptionalDouble clockGhz) {
        OptionalDouble ghz = clockGhz.isPresent() ? clockGhz
                : cpu.mhz().isPresent() ? OptionalDouble.of(cpu.mhz().getAsDouble() / 1000) : OptionalDouble.empty();
        if (ghz.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CpuPeak(cores, ghz.getAsDouble(), 2, floatsPerVector(cpu)));
    }

    /** Floats one FMA unit handles per cycle. */
    static int floatsPerVector(CpuInfo cpu) {
        boolean amd = cpu.vendor().equals("AuthenticAMD");
        int family = cpu.family().orElse(0);
        if (cpu.flags().contains("avx512f")) {
            return amd && family == 25 ? 8 : 16;
        }
        if (cpu.flags().contains("avx2") || cpu.flags().contains("avx")) {
            return amd && family == 23 ? 4 : 8;
        }
        return 4;
    }

    public double gflops() {
        return cores * ghz * fmaUnits * floatsPerVector * 2;
    }

    /** E.g. "134.1 GFLOP/s = 2 cores x 2.10 GHz x 2 FMA units x 16 floats x 2". */
    public String formula() {
        return String.format("%.1f GFLOP/s = %d core%s x %.2f GHz x %d FMA units x %d floats x 2", gflops(), cores,
                cores == 1 ? "" : "s", ghz, fmaUnits, floatsPerVector);
    }
}
