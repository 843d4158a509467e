package xportdnn.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.ModelException;

/**
 * Which of the ND4J native builds on the classpath runs: the oneDNN build for AVX-512 where the CPU has it, the
 * AVX2 one elsewhere. JavaCPP takes the build from the system property {@code org.bytedeco.javacpp.platform.extension}
 * when ND4J loads; without it, it takes the AVX2 build (the first of ND4J's extension list it tries), which runs on
 * any x86-64 CPU of the last decade. {@link #apply} sets that property from {@code /proc/cpuinfo}, so it must run
 * before anything touches ND4J; {@link #loaded} says afterwards which build did load.
 *
 * <p>Users override the choice with {@code -Dxportdnn.natives=avx512|avx2|auto} or the environment variable
 * {@code XPORTDNN_NATIVES}; a property {@code org.bytedeco.javacpp.platform.extension} they set themselves is kept.
 */
public record NativeBuild(String name, String reason) {

    public static final String OVERRIDE_PROPERTY = "xportdnn.natives";
    public static final String OVERRIDE_ENV = "XPORTDNN_NATIVES";
    static final String JAVACPP_EXTENSION = "org.bytedeco.javacpp.platform.extension";
    static final String AVX512 = "avx512";
    static final String AVX2 = "avx2";
    /** What ND4J's AVX-512 build is compiled for (gcc's -march=skylake-avx512). */
    static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-";
    private static final Pattern LOADED = Pattern.compile("bindings/linux-x86_64-onednn-([a-z0-9]+)/");

    private static NativeBuild applied;

    /** The JavaCPP platform extension that selects this build. */
    String extension() {
        return "-onednn-" + name;
    }

    /**
     * The build to load, from the CPU's flags (as /proc/cpuinfo lists them), a user's override (null, blank or
     * {@code auto} for none) and the builds present on the classpath.
     */
    static NativeBuild choose(Set<String> cpuFlags, String override, Set<String> available) {
        String wanted = override == null ? "auto" : override.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            wanted = "auto";
        }
        if (!wanted.equals("auto")) {
            if (!wanted.equals(AVX512) && !wanted.equals(AVX2)) {
                throw new ModelException(OVERRIDE_PROPERTY + " / " + OVERRIDE_ENV + " must be avx512, avx2 or auto, not '"
                        + override + "'");
            }
            if (!available.contains(wanted)) {
                throw new ModelException(OVERRIDE_PROPERTY + " / " + OVERRIDE_ENV + " asks for the " + wanted
                        + " natives, but this build of xportdnn holds only " + available);
            }
            return new NativeBuild(wanted, "chosen by " + OVERRIDE_PROPERTY + "/" + OVERRIDE_ENV);
        }
        if (cpuFlags.isEmpty()) {
            return new NativeBuild(AVX2, "CPU flags unknown (no /proc/cpuinfo)");
        }
        List<String> missing = AVX512_FLAGS.stream().filter(f -> !cpuFlags.contains(f)).toList();
        if (missing.isEmpty() && available.contains(AVX512)) {
            return new NativeBuild(AVX512, "the CPU has AVX-512");
        }
        String why = missing.isEmpty() ? "the AVX-512 natives are not in this build" : "the CPU lacks " + String.join(", ", missing);
        return new NativeBuild(AVX2, why + (cpuFlags.contains("avx2") ? "" : "; it lacks AVX2 too, which ND4J needs"));
    }

    /**
     * Chooses the build for this machine and tells JavaCPP, unless ND4J may already have loaded or the user set
     * JavaCPP's property. Call it first thing in a program; later calls return the first decision.
     */
    public static synchronized NativeBuild apply() {
        if (applied != null) {
            return applied;
        }
        String preset = System.getProperty(JAVACPP_EXTENSION);
        if (preset != null && !preset.isBlank()) {
            applied = new NativeBuild(preset.replaceFirst("^-onednn-", ""), "set by " + JAVACPP_EXTENSION);
            return applied;
        }
        String override = System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV));
        applied = choose(CpuInfo.read().flags(), override, available());
        System.setProperty(JAVACPP_EXTENSION, applied.extension());
        return applied;
    }

    /** The builds whose native library is on the classpath (looked up, not extracted). */
    static Set<String> available() {
        Set<String> present = new LinkedHashSet<>();
        ClassLoader loader = NativeBuild.class.getClassLoader();
        for (String name : List.of(AVX512, AVX2)) {
            if (loader.getResource(BINDINGS + name + "/libnd4jcpu.so") != null) {
                present.add(name);
            }
        }
        return present;
    }

    /** The build ND4J loaded (loading it if nothing has yet), e.g. {@code onednn-avx512}, with why it was chosen. */
    public static String loaded() {
        NativeBuild chosen = apply();
        Nd4j.getBackend();
        String name = loadedName(Loader.getLoadedLibraries());
        return name + " (" + (name.equals("onednn-" + chosen.name()) ? chosen.reason() : "ND4J loaded before the choice")
                + ")";
    }

    /** The build name in the path JavaCPP loaded libnd4jcpu from, or "unknown". */
    static String loadedName(Map<String, String> libraries) {
        String path = libraries.getOrDefault("nd4jcpu", "");
        Matcher m = LOADED.matcher(path);
        return m.find() ? "onednn-" + m.group(1) : "unknown";
    }
}
