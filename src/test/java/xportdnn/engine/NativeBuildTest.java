package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.ModelException;

class NativeBuildTest {

    private static final Set<String> BOTH = Set.of("avx512", "avx2");
    /** An AMD EPYC (Zen 5) as a VM shows it, and an Intel Haswell: AVX2 and FMA, no AVX-512. */
    private static final Set<String> EPYC = Set.of("fpu", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq",
            "avx512cd", "avx512bw", "avx512vl", "avx512_vnni");
    private static final Set<String> HASWELL = Set.of("fpu", "sse4_2", "avx", "avx2", "fma", "bmi2");

    @Test
    void avx512CpuGetsTheAvx512Build() {
        assertEquals("avx512", NativeBuild.choose(EPYC, null, BOTH).name());
        assertEquals("avx512", NativeBuild.choose(EPYC, " AUTO ", BOTH).name());
    }

    @Test
    void cpuWithoutAvx512FallsBackToAvx2NamingWhatIsMissing() {
        NativeBuild build = NativeBuild.choose(HASWELL, null, BOTH);
        assertEquals("avx2", build.name());
        assertTrue(build.reason().contains("avx512f"), build.reason());
        // Xeon Phi (Knights Landing) has AVX-512 F and CD but not BW/DQ/VL, which the build is compiled for
        Set<String> knightsLanding = Set.of("avx2", "fma", "avx512f", "avx512cd", "avx512er", "avx512pf");
        build = NativeBuild.choose(knightsLanding, "", BOTH);
        assertEquals("avx2", build.name());
        assertTrue(build.reason().contains("avx512bw, avx512dq, avx512vl"), build.reason());
    }

    @Test
    void unknownCpuOrMissingJarGetsAvx2() {
        assertEquals("avx2", NativeBuild.choose(Set.of(), null, BOTH).name());
        assertEquals("avx2", NativeBuild.choose(EPYC, null, Set.of("avx2")).name());
    }

    @Test
    void overrideWinsAndIsCheckedAgainstTheJar() {
        assertEquals("avx2", NativeBuild.choose(EPYC, "avx2", BOTH).name());
        assertEquals("-onednn-avx2", NativeBuild.choose(EPYC, "avx2", BOTH).extension());
        assertEquals("avx512", NativeBuild.choose(HASWELL, "avx512", BOTH).name());
        ModelException e = assertThrows(ModelException.class, () -> NativeBuild.choose(EPYC, "sse", BOTH));
        assertTrue(e.getMessage().contains("'sse'"), e.getMessage());
        e = assertThrows(ModelException.class, () -> NativeBuild.choose(EPYC, "avx512", Set.of("avx2")));
        assertTrue(e.getMessage().contains("[avx2]"), e.getMessage());
    }

    @Test
    void bothBuildsAreOnTheClasspath() {
        assertEquals(BOTH, NativeBuild.available());
    }

    @Test
    void loadedBuildIsReadFromJavacppsLibraryPath() {
        assertEquals("onednn-avx2", NativeBuild.loadedName(Map.of("nd4jcpu", "/root/.javacpp/cache/"
                + "nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar/org/nd4j/linalg/cpu/nativecpu/bindings/"
                + "linux-x86_64-onednn-avx2/libnd4jcpu.so")));
        assertEquals("unknown", NativeBuild.loadedName(Map.of()));
    }

    /**
     * The fallback end to end, in a fresh JVM (ND4J loads once per process): forced to the AVX2 build, bench runs
     * the example net and says that build ran.
     */
    @Test
    void forcedAvx2BuildRunsTheExampleNet(@TempDir Path dir) throws IOException, InterruptedException {
        Path json = dir.resolve("bench.json");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-D" + NativeBuild.OVERRIDE_PROPERTY + "=avx2", "-cp", System.getProperty("java.class.path"),
                "xportdnn.cli.Main", "bench", "--deploy_model", "examples/tinynet/deploy.prototxt", "--weights",
                "examples/tinynet/tinynet.caffemodel", "--warmup", "0", "--iterations", "1", "--json", json.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("ND4J natives   onednn-avx2 (chosen by xportdnn.natives"), output);
        assertTrue(Files.readString(json).contains("\"natives\": \"onednn-avx2 (chosen by"), Files.readString(json));
    }
}
