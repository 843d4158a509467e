package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.CountingPasses;
import xportdnn.sim.FixedPointNet;

/**
 * compare builds one scheme's simulator after another: when the next scheme starts, the earlier one's simulator
 * (whose ops hold their own copies of the weights: VGG-16's InnerProducts as 494 MB of floats) is unreachable.
 */
class ComparisonReleasesSchemesTest {

    @Test
    void anEarlierSchemesSimulatorIsUnreachableWhenTheNextStarts() {
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), "examples/tinynet/val.txt", null, 4, 1L,
                new CalibrationSettings("examples/tinynet/images", 4, 1L, null, 8, mean, false),
                SchemeSpec.parseList("xilinx:8,naive:8,dynamicfixed:8"), 8);
        List<WeakReference<FixedPointNet>> simulators = new ArrayList<>();
        CountingPasses passes = new CountingPasses();
        passes.beforeValidate = job -> simulators.add(new WeakReference<>(job.fixedNet()));
        List<String> started = new ArrayList<>();
        List<Boolean> earlierReleased = new ArrayList<>();
        Progress progress = (label, total) -> {
            if (label.startsWith("scoring ")) {
                started.add(label);
                if (!simulators.isEmpty()) {
                    earlierReleased.add(cleared(simulators.get(simulators.size() - 1)));
                }
            }
            return Progress.NONE.start(label, total);
        };
        Comparison.run(settings, passes, progress, inputs -> { });
        assertEquals(List.of("scoring xilinx:8", "scoring naive:8", "scoring dynamicfixed:8"), started);
        assertEquals(3, simulators.size());
        assertEquals(List.of(true, true), earlierReleased);
    }

    /** Whether {@code ref} is cleared after a few full collections (a reachable referent never is). */
    private static boolean cleared(WeakReference<?> ref) {
        for (int i = 0; i < 5 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }
}
