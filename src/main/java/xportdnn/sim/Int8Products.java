package xportdnn.sim;

import java.util.Locale;
import java.util.Set;
import xportdnn.engine.CpuInfo;
import xportdnn.model.ModelException;

/**
 * Whether the simulator's convolutions whose codes fit in int8 multiply them with oneDNN's int8 matrix product
 * (ND4J's custom op {@code matmul} on int8 inputs with an int32 output, which libnd4j hands to oneDNN). That product
 * is exact only where the CPU has VNNI ({@code avx512_vnni} or {@code avx_vnni}): {@code vpdpbusd} adds four
 * 8-bit products straight into an int32 lane, while without VNNI oneDNN forms pairs of products in int16
 * ({@code vpmaddubsw}), which saturate (oneDNN's documentation on int8 computations). Elsewhere the float32
 * product runs, as it does for every layer when the user sets {@code -Dxportdnn.sim.int8=off} or the environment
 * variable {@code XPORTDNN_SIM_INT8=off} (both also take {@code auto}, the default).
 */
public final class Int8Products {

    public static final String OVERRIDE_PROPERTY = "xportdnn.sim.int8";
    public static final String OVERRIDE_ENV = "XPORTDNN_SIM_INT8";
    private static final Set<String> VNNI = Set.of("avx512_vnni", "avx_vnni");

    private static Boolean enabled;

    private Int8Products() {
    }

    /** Whether this machine runs the int8 product (VNNI present, not turned off); read once. */
    public static synchronized boolean enabled() {
        if (enabled == null) {
            enabled = choose(CpuInfo.read().flags(), System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV)));
        }
        return enabled;
    }

    /** The choice from the CPU's flags (as /proc/cpuinfo lists them) and the override (null or blank for auto). */
    static boolean choose(Set<String> cpuFlags, String override) {
        String wanted = override == null || override.isBlank() ? "auto" : override.strip().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "auto" -> cpuFlags.stream().anyMatch(VNNI::contains);
            case "off" -> false;
            default -> throw new ModelException(OVERRIDE_PROPERTY + " / " + OVERRIDE_ENV + " must be auto or off, not '"
                    + override + "'");
        };
    }
}
